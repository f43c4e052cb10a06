/**
 * The root rules, resolved with the web app's tsconfig (bundler resolution, .vue files).
 * Run from the repository root: `depcruise frontend/src --config frontend/.dependency-cruiser.cjs`.
 *
 * @type {import('dependency-cruiser').IConfiguration}
 */
const path = require('node:path');
const base = require('../.dependency-cruiser.cjs');

module.exports = {
  ...base,
  // Absolute: TypeScript resolves the tsconfig's "include" against the path given here,
  // and a relative one would be taken as relative to the tsconfig's own folder.
  options: { ...base.options, tsConfig: { fileName: path.join(__dirname, 'tsconfig.json') } },
};
