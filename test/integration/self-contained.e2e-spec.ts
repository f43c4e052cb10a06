import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { TestApp, createTestApp } from '../support/test-app';

/**
 * The repository explains itself: its README, docs, code, tests and the API
 * description served to integrators never send a reader to a document the
 * repository does not contain (a product specification kept elsewhere, or a
 * sibling folder of the checkout).
 */
const ROOT = resolve(__dirname, '..', '..');
// Spelled in pieces so that this file does not name what it forbids.
const OUTSIDE_DOCUMENT = new RegExp(['S', 'PEC'].join(''));
const SIBLING_FOLDER = /\.\.\/shared\b/;
const SCANNED = ['README.md', 'docs', 'src', 'test', 'frontend/src'];
const TEXT_FILE = /\.(ts|js|cjs|mjs|vue|md|json|yaml|yml|css|html)$/;

function filesUnder(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => (name === 'node_modules' ? [] : filesUnder(join(path, name))));
}

/** A relative import that resolves inside the repository is a file of its own, not an outside reference. */
function isImportInsideRepository(file: string, line: string): boolean {
  const target = /(?:from\s+|import\s*\(|require\s*\()\s*['"](\.\.\/shared[^'"]*)['"]/.exec(line)?.[1];
  if (!target) return false;
  const resolved = resolve(dirname(file), target);
  return resolved.startsWith(ROOT) && ['', '.ts', '.js', '.vue', '/index.ts'].some((ext) => existsSync(resolved + ext));
}

/** Every `file:line: text` in the scanned sources that points outside the repository. */
export function outsideReferences(): string[] {
  return SCANNED.flatMap((entry) => filesUnder(join(ROOT, entry)))
    .filter((file) => TEXT_FILE.test(file))
    .flatMap((file) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          OUTSIDE_DOCUMENT.test(line) || (SIBLING_FOLDER.test(line) && !isImportInsideRepository(file, line))
            ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`]
            : [],
        ),
    );
}

describe('the repository is self-contained', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('cites no document it does not contain, in the README, docs, sources or tests', () => {
    const scanned = SCANNED.flatMap((entry) => filesUnder(join(ROOT, entry))).filter((file) => TEXT_FILE.test(file));
    expect(scanned.length).toBeGreaterThan(100);
    expect(scanned.some((file) => file.endsWith(join('docs', 'ledger-invariants.md')))).toBe(true);
    expect(outsideReferences()).toEqual([]);
  });

  it('serves an API description that reads on its own', async () => {
    const served = JSON.stringify((await t.http.get('/api/docs-json').expect(200)).body);
    expect(served.length).toBeGreaterThan(10_000);
    expect(served.match(OUTSIDE_DOCUMENT)).toBeNull();
    expect(served.match(SIBLING_FOLDER)).toBeNull();
  });

  it('would catch a citation or a path outside the repository', () => {
    expect(OUTSIDE_DOCUMENT.test(`see ${['S', 'PEC'].join('')} §5.8`)).toBe(true);
    const sibling = ['..', 'shared'].join('/');
    expect(SIBLING_FOLDER.test(`in ${sibling}/notes.md`)).toBe(true);
    expect(isImportInsideRepository(join(ROOT, 'src', 'a', 'b.ts'), `import { x } from '${sibling}/missing';`)).toBe(false);
  });
});
