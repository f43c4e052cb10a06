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

  it('names every status the edge can answer: 401 with a token, 403 for admins, 400 and 413 with a body, 429 when limited', async () => {
    const served = (await t.http.get('/api/docs-json').expect(200)).body;
    const missing: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, { security?: unknown[]; requestBody?: unknown; tags?: string[]; responses: object }>>(served.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const need = [
          ...(op.security?.length ? ['401'] : []),
          ...(path.startsWith('/api/admin') ? ['403'] : []),
          ...(op.requestBody ? ['400', '413'] : []),
          ...(op.tags?.some((tag) => tag === 'webhooks' || tag === 'health') ? [] : ['429']),
        ];
        for (const status of need) if (!(status in op.responses)) missing.push(`${method.toUpperCase()} ${path} ${status}`);
      }
    }
    expect(missing).toEqual([]);
    expect(served.paths['/api/admin/payment/orders'].get.responses['401']).toBeDefined();
  });

  it('states a limit (maxLength, pattern, enum or format) for every string a client sends', async () => {
    const served = (await t.http.get('/api/docs-json').expect(200)).body;
    type Schema = { type?: string; maxLength?: number; pattern?: string; enum?: unknown[]; format?: string; $ref?: string; properties?: Record<string, Schema> };
    const limited = (schema: Schema) => schema.type !== 'string' || [schema.maxLength, schema.pattern, schema.enum, schema.format].some((x) => x !== undefined);
    const unlimited: string[] = [];
    for (const [path, operations] of Object.entries<Record<string, { parameters?: { name: string; schema?: Schema }[]; requestBody?: { content: Record<string, { schema: Schema }> } }>>(served.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        for (const parameter of op.parameters ?? []) if (parameter.schema && !limited(parameter.schema)) unlimited.push(`${method} ${path} ${parameter.name}`);
        for (const { schema } of Object.values(op.requestBody?.content ?? {})) {
          const body: Schema = schema.$ref ? served.components.schemas[schema.$ref.split('/').pop()!] : schema;
          for (const [name, property] of Object.entries(body.properties ?? {})) if (!limited(property)) unlimited.push(`${method} ${path} body.${name}`);
        }
      }
    }
    expect(unlimited).toEqual([]);
  });
});
