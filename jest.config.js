/** Unit tests sit next to the code (src/**\/*.spec.ts); integration and API
 * tests live in test/ and share one embedded PostgreSQL started per run. */
const transform = { '^.+\\.(t|j)s$': '@swc/jest' };
// ESM-only packages that Jest's CommonJS runtime must have compiled.
const transformIgnorePatterns = ['/node_modules/(?!(content-disposition)/)'];

module.exports = {
  // A global option: Jest ignores it inside a project. Integration and browser tests start apps and Chromium.
  testTimeout: 30000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      roots: ['<rootDir>/src'],
      testMatch: ['**/*.spec.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      roots: ['<rootDir>/test'],
      testMatch: ['**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/audit-after-file.ts'],
    },
  ],
};
