import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestApp, createTestApp } from '../support/test-app';

/**
 * The web app's API types are generated from frontend/openapi.json; this keeps
 * that file equal to what the API really serves. After an API change run
 * `UPDATE_OPENAPI=1 npm run test:integration -- openapi` and commit the file.
 */
const SNAPSHOT = join(__dirname, '..', '..', 'frontend', 'openapi.json');

describe('frontend/openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('matches the OpenAPI document the API serves', async () => {
    const served = (await t.http.get('/api/docs-json').expect(200)).body;
    const text = JSON.stringify(served, null, 2) + '\n';
    if (process.env.UPDATE_OPENAPI) writeFileSync(SNAPSHOT, text);
    expect(existsSync(SNAPSHOT)).toBe(true);
    expect(JSON.parse(readFileSync(SNAPSHOT, 'utf8'))).toEqual(served);
  });
});
