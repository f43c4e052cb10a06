/**
 * Architecture boundaries, checked by `npm run lint:boundaries` (first step of `npm test`).
 * This file cruises the API (`src/`); frontend/.dependency-cruiser.cjs reuses these
 * rules with the web app's tsconfig for `frontend/src/`.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'common-imports-no-feature',
      comment:
        'src/common/ is the shared layer every feature builds on. If it imported a feature folder ' +
        '(users, payments, ledger, ...) the layers would depend on each other and nothing could be ' +
        'reused or tested alone. Any folder under src/ other than common/ counts as a feature, ' +
        'so a new feature is covered without touching this rule.',
      severity: 'error',
      from: { path: '^src/common/' },
      to: { path: '^src/(?!common/)[^/]+/' },
    },
    {
      name: 'no-foreign-repository',
      comment:
        'A *.repository.ts holds one module\'s SQL and table layout. Other modules go through that ' +
        'module\'s services, so its tables can change without breaking callers elsewhere. Only files ' +
        'in the same src/<module>/ folder (any depth) may import it; src/ root files such as ' +
        'app.module.ts count as outside.',
      severity: 'error',
      // $1 is the module folder of the importing file (or its file name for a src/ root file,
      // which then never matches a folder below).
      from: { path: '^src/([^/]+)' },
      to: { path: '^src/[^/]+/.+\\.repository\\.ts$', pathNot: '^src/$1/' },
    },
    {
      name: 'no-circular',
      comment:
        'An import cycle makes load order decide whether a module sees the exports of another ' +
        'as undefined (in Nest: providers or decorator metadata that are undefined at start-up), and ' +
        'the modules in it can only be understood and changed together. Cycles made only of ' +
        '`import type` are not counted: they are erased from the emitted JavaScript, so they cannot ' +
        'change load order, and two types naming each other is ordinary.',
      severity: 'error',
      from: {},
      to: {
        circular: true,
        viaOnly: { dependencyTypesNot: ['type-only'] },
      },
    },
  ],
  options: {
    doNotFollow: { path: '(^|/)node_modules/' },
    exclude: { path: '(^|/)(node_modules|dist)/|^frontend/src/api/schema\\.d\\.ts$' },
    // Also see `import type`, so a type-only import of another module's repository is caught;
    // no-circular leaves type-only edges out itself.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    skipAnalysisNotInRules: true,
  },
};
