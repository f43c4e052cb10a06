import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { findRootDir } from '../../common/config/config.loader';
import { GATEWAYS } from '.';

const ROOT = findRootDir();
/** Where a gateway's name could leak into the core. Tests, locale texts and the generated API types are left out. */
const SEARCHED = ['src', 'frontend/src', 'config'];
const LEFT_OUT = [/\.spec\.ts$/, /__tests__\//, /\/locales\//, /schema\.d\.ts$/];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * A gateway is its folder plus one registration line and its configuration
 * block: outside src/payments/providers/<name>/, at most three files may
 * name it (the registration, config/default.yaml, and one more such as a
 * production overlay), so adding a gateway never means editing the core.
 */
describe('gateways are folders', () => {
  const files = SEARCHED.flatMap((dir) => filesUnder(join(ROOT, dir)))
    .map((path) => relative(ROOT, path))
    .filter((path) => !LEFT_OUT.some((pattern) => pattern.test(path)));

  it.each(GATEWAYS.map((gateway) => [gateway.name]))('%s is named in at most 3 files outside its folder', (name) => {
    const naming = files.filter(
      (path) => !path.startsWith(`src/payments/providers/${name}/`) && readFileSync(join(ROOT, path), 'utf8').toLowerCase().includes(name),
    );
    expect(naming.length).toBeLessThanOrEqual(3);
    expect(naming).toContain('src/payments/providers/index.ts');
  });

  it('has a folder for every registered gateway, named as it registers', () => {
    for (const gateway of GATEWAYS) expect(statSync(join(ROOT, 'src/payments/providers', gateway.name)).isDirectory()).toBe(true);
  });
});
