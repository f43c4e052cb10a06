/**
 * The reliability suite (`npm run test:reliability`): faults injected into
 * real processes (the built app, PostgreSQL, Redis, fake gateways on
 * loopback), a model-based property test and an OpenAPI fuzz pass. Slower
 * than `npm test`, so it has its own command; CI runs both.
 */
const base = require('./jest.config.js').projects.find((p) => p.displayName === 'integration');

module.exports = {
  ...base,
  displayName: 'reliability',
  roots: ['<rootDir>/test/reliability'],
  testMatch: ['**/*.rel-spec.ts'],
  testTimeout: 300_000,
  // The scenarios start servers and saturate both cores: one file at a time.
  maxWorkers: 1,
};
