#!/usr/bin/env node
// Builds the API and the web app when their output is missing or older than
// their sources, so `npm start` and `npm test` work on a fresh clone.
const { execSync } = require('node:child_process');
const { existsSync, readdirSync, statSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return readdirSync(path).reduce((max, name) => Math.max(max, newest(join(path, name))), stat.mtimeMs);
}

function builtAt(file) {
  return existsSync(file) ? statSync(file).mtimeMs : -1;
}

const targets = [
  {
    name: 'API',
    output: join(root, 'dist', 'src', 'main.js'),
    sources: ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'],
    command: 'npm run build:api',
  },
  {
    name: 'web app',
    output: join(root, 'frontend', 'dist', 'index.html'),
    sources: ['frontend/src', 'frontend/index.html', 'frontend/vite.config.ts', 'frontend/public', 'package-lock.json'],
    command: 'npm run build:web',
  },
];

for (const target of targets) {
  const sourceTime = Math.max(...target.sources.map((s) => newest(join(root, s))));
  if (builtAt(target.output) >= sourceTime) continue;
  console.log(`Building the ${target.name}…`);
  execSync(target.command, { cwd: root, stdio: 'inherit' });
}
