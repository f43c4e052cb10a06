import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { epaySigned } from '../../src/payments/providers/epay/epay-signature';
import { FakeStripe, FakeZpay } from '../support/fake-gateways';
import { TestUser, bearer, registerAdmin, registerUser } from '../support/factories';
import { isolatedDatabase } from '../support/isolated-database';
import { TestApp, createTestApp } from '../support/test-app';

/**
 * A fuzz pass over every operation of the OpenAPI document the app serves:
 * path, query, header and body values of the wrong type or absurd, broken
 * bodies, and every kind of caller (none, the owner, another user, an admin,
 * a bad token). Whatever comes in, the app answers 4xx (or 2xx) in its error
 * shape, leaks nothing, and moves no money.
 *
 * Fixed value lists and fast-check samples with fixed seeds: the same run
 * sends the same requests, so a failure reproduces.
 */

const SEED = 20_261_123;
const CONCURRENCY = 6;

// Secrets the app is given here, so the pass can look for them in every answer.
const ZPAY_PID = '1001';
const ZPAY_KEY = 'zpay-fuzz-merchant-key-7f3a9c51';
const STRIPE_API_KEY = 'sk_test_fuzz_4b8e2d0c6a';
const STRIPE_WEBHOOK_SECRET = 'whsec_fuzz_secret_for_webhooks_91c3';
const SANDBOX_KEY = 'sandbox-fuzz-key-5d21e0aa77';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Schema {
  type?: string;
  $ref?: string;
  allOf?: Schema[];
  enum?: unknown[];
  pattern?: string;
  format?: string;
  example?: unknown;
  maxLength?: number;
  minimum?: number;
  properties?: Record<string, Schema>;
  required?: string[];
}

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

interface OperationObject {
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema }> };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components: { schemas: Record<string, Schema> };
}

interface Operation {
  key: string;
  method: string;
  path: string;
  pathParams: string[];
  queryParams: { name: string; schema: Schema }[];
  headerParams: string[];
  body?: { type: 'json' | 'form'; schema: Schema };
  /** Gateway callbacks answer in the gateway's protocol, not the app's error shape. */
  webhook: boolean;
  secured: boolean;
  admin: boolean;
  /** Its query is a gateway's notify (GET Zpay): every field is sent, one of them fuzzed. */
  notifyQuery: boolean;
}

type Caller = 'none' | 'user' | 'other' | 'admin' | 'bad';
const CALLERS: Caller[] = ['none', 'user', 'other', 'admin', 'bad'];

interface Case {
  what: string;
  path: string;
  query?: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** The path names the first user's own order or account. */
  realTarget: boolean;
  /** Send only as the caller who may use the route. */
  primaryOnly?: boolean;
}

interface Probe extends Case {
  op: Operation;
  caller: Caller;
  authorization?: string;
}

// ---------------------------------------------------------------------------
// Fuzz values

const LONG_10K = 'x'.repeat(10_000);
function nested(depth: number): Json {
  let value: Json = 'bottom';
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
}
const NESTED_40 = nested(40);
const ARRAY_10K: Json = Array.from({ length: 10_000 }, (_, i) => (i % 2 ? 'a' : i));
// JSON.parse makes "__proto__" an own property, so JSON.stringify sends it as written.
const PROTO_ADMIN: Json = JSON.parse('{"__proto__":{"isAdmin":true}}');
const CONSTRUCTOR_PROTO: Json = { constructor: { prototype: { polluted: true } } };
const SQLI = "' OR 1=1 --";

/** Every body field gets these (plus one value of a wrong type for its schema). */
const BODY_ALWAYS: Json[] = [LONG_10K, NESTED_40, ARRAY_10K, PROTO_ADMIN, SQLI];

/** Every body field gets a seeded sample of these. */
const BODY_POOL: Json[] = [
  null,
  true,
  false,
  0,
  -1,
  1e308,
  -1e308,
  5e-324,
  9007199254740993,
  0.30000000000000004,
  [],
  {},
  [null],
  ['a', 'b'],
  { $gt: '' },
  CONSTRUCTOR_PROTO,
  '',
  ' ',
  '\t\n\r',
  '😀'.repeat(100),
  '👨‍👩‍👧‍👦'.repeat(40),
  '\u202Eabc\u200F\u200E',
  '\u200B\u200C\u200D\uFEFF',
  'Ω≈ç√∫µ≤≥÷ 中文 العربية',
  '𝕳𝖊𝖑𝖑𝖔 𝖂𝖔𝖗𝖑𝖉',
  'Z̤͔ͧ̑̓ä͖̭̈̇lͮ̒ͫǧ̗͚̚o̙̔ͮ̇͐̇',
  'e\u0301\u0301\u0301',
  '\uFFFF\uFFFE\uFDD0',
  '\uD83D',
  '0.30000000000000004',
  '1e2',
  '0x10',
  '-1',
  '-0',
  '99999999999999999999.99999999',
  '1e308',
  '1e309',
  'NaN',
  'Infinity',
  '１２３',
  '٣٤',
  "'; DROP TABLE users; --",
  '" OR ""="',
  '1) OR (1=1',
  '%00',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  '${7*7}{{7*7}}',
  'admin',
  'disabled',
  'refunded',
  'true',
  'null',
  '__proto__',
  'x'.repeat(73),
  'x'.repeat(501),
  '\\',
  '"',
];

/** Every path parameter gets these; they are never a real id or order number. */
const PATH_ALWAYS = [
  '9223372036854775808',
  '99999999999999999999999999999',
  '-1',
  '0',
  '1e309',
  'NaN',
  '😀中文ﷺ\u202E',
  '../',
  SQLI,
  '%00',
  'x'.repeat(101),
  'x'.repeat(5000),
];
const PATH_POOL = [
  '9223372036854775807',
  'Infinity',
  '1.5',
  '0x10',
  '-0',
  ' ',
  'null',
  '../../etc/passwd',
  '\u0000',
  'x'.repeat(100),
  'PO' + '9'.repeat(48),
  'PO' + '9'.repeat(60),
  '{"$gt":""}',
  '*',
  '%',
  '_%',
  '１２３',
];
/** Sent as written (not escaped): broken or sneaky percent escapes and dot segments. */
const RAW_PATH_POOL = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%ED%A0%80', '%FF', '%00', '..', '%2e%2e', '..%2F..%2F', '%252e'];

const QUERY_ALWAYS = ['abc', '-1', '0', '1e309', SQLI, 'x'.repeat(10_000)];
const QUERY_POOL = [
  '',
  ' ',
  'true',
  'null',
  'NaN',
  'Infinity',
  '1.5',
  '-0',
  '0x10',
  '1e2',
  '9007199254740993',
  '99999999999999999999',
  '9223372036854775808',
  '9223372036854775807',
  '2147483648',
  '😀',
  '\u202Eabc',
  '../',
  '%00',
  '\u0000',
  '2026-13-45T99:99:99Z',
  '0000-00-00T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '9999-12-31T23:59:59.999Z',
  '2026-02-30T00:00:00Z',
  '1970-01-01',
  'paid',
  '{"$gt":""}',
  '[]',
  '*',
  '%',
  '_',
  '\\',
];
/** Per the parameter's schema, always: the edges of what its parser takes (JavaScript's Date spans far more than PostgreSQL's timestamptz). */
function queryEdges(schema: Schema): string[] {
  if (schema.format === 'date-time') {
    return ['-271821-04-20T00:00:00.000Z', '+275760-09-13T00:00:00.000Z', '-004714-01-01T00:00:00Z', '2026-02-30T00:00:00Z', '1'];
  }
  if (schema.type === 'number' || schema.type === 'integer') return ['1000001', '9007199254740993', '1e21'];
  if (schema.type === 'boolean') return ['yes', '1', 'TRUE'];
  if (schema.pattern) return ['9223372036854775808', '00042'];
  return [];
}
/** Sent as written: repeated, nested, bare and broken-escape forms of a parameter. */
const RAW_QUERY_FORMS = (name: string) => [`${name}=1&${name}=2`, `${name}[a]=1`, name, `${name}=%zz`, `${name}=%00`];

/** Only values Node lets into a header (visible Latin-1). */
const HEADER_VALUES = [' ', 'x'.repeat(256), 'x'.repeat(8000), 'ünï\u00ff', SQLI, '../', '%00', '{"a":1}'];

/** Seeded, reproducible choice of `k` values out of `pool`. */
function sample<T>(pool: readonly T[], k: number, label: string): T[] {
  let seed = SEED;
  for (const char of label) seed = (Math.imul(seed, 31) + char.charCodeAt(0)) | 0;
  return fc.sample(fc.shuffledSubarray([...pool], { minLength: Math.min(k, pool.length), maxLength: Math.min(k, pool.length) }), {
    seed,
    numRuns: 1,
  })[0];
}

// ---------------------------------------------------------------------------
// Money fields: fuzzing must never send an amount that could be credited.

const MONEY_FIELDS = new Set(['amount', 'amountCny', 'money']);
/** Each is invalid by the document: zero, three decimals, an exponent. */
const MONEY_BASELINE: Record<string, Json> = { amount: '0', amountCny: '0.001', money: '1e2' };

/** A value a lenient validator might take as a real amount: a plain non-zero decimal of sane size. */
function plausibleMoney(value: Json): boolean {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : null;
  if (text === null || !/^[+-]?\d+(\.\d+)?$/.test(text)) return false;
  const n = Number(text);
  return n !== 0 && Math.abs(n) <= 1e15;
}

// ---------------------------------------------------------------------------

const b64url = (text: string) => Buffer.from(text).toString('base64url');
function signJwt(payload: object, secret: string): string {
  const unsigned = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(payload))}`;
  return `${unsigned}.${createHmac('sha256', secret).update(unsigned).digest('base64url')}`;
}

/** encodeURIComponent, except that a lone surrogate is sent as its WTF-8 bytes (as a hostile client would) instead of throwing. */
function pct(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.charCodeAt(0);
    out +=
      char.length === 1 && code >= 0xd800 && code <= 0xdfff
        ? [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('')
        : encodeURIComponent(char);
  }
  return out;
}

const excerpt = (value: unknown, max = 240): string => {
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  return text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
};

describe('OpenAPI fuzz pass', () => {
  let t: TestApp;
  let stripe: FakeStripe;
  let zpay: FakeZpay;
  let owner: TestUser;
  let other: TestUser;
  let admin: TestUser;
  let ownerOrderNo: string;
  let database: { url: string; drop(): Promise<void> };

  beforeAll(async () => {
    stripe = await new FakeStripe().start();
    zpay = await new FakeZpay().start();
    // The fuzz calls every admin operation with whatever ids it finds (it may pause or end a campaign that applies to every order),
    // so it runs on a database of its own and leaves the suite's as it was.
    database = await isolatedDatabase();
    t = await createTestApp({
      DATABASE_URL: database.url,
      PUBLIC_BASE_URL: 'https://pay.example',
      ZPAY_ENABLED: 'true',
      ZPAY_PID,
      ZPAY_KEY,
      ZPAY_API_URL: zpay.url,
      STRIPE_ENABLED: 'true',
      STRIPE_API_KEY,
      STRIPE_WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.url,
      SANDBOX_ENABLED: 'true',
      RECHARGE__PAYMENT__SANDBOX__KEY: SANDBOX_KEY,
    });
    owner = await registerUser(t.http);
    other = await registerUser(t.http);
    admin = await registerAdmin(t.http, t.db);

    // The owner has a paid order (and so a balance and ledger rows) the pass aims at.
    const order = await t.http
      .post('/api/payment/orders')
      .set(bearer(owner))
      .send({ amountCny: '20.00', provider: 'zpay', method: 'alipay' })
      .expect(201);
    ownerOrderNo = order.body.orderNo;
    const notify = epaySigned(
      {
        pid: ZPAY_PID,
        trade_no: `FUZZ${ownerOrderNo.slice(-12)}`,
        out_trade_no: ownerOrderNo,
        type: 'alipay',
        name: 'Recharge 20.00',
        money: '20.00',
        trade_status: 'TRADE_SUCCESS',
        param: ownerOrderNo,
      },
      ZPAY_KEY,
    );
    const paid = await t.http.get('/api/payment/webhook/zpay').query(notify);
    expect(paid.text).toBe('success');
  });

  afterAll(async () => {
    await t?.close();
    await database?.drop();
    await stripe?.stop();
    await zpay?.stop();
  });

  async function moneyState() {
    const [{ sum }] = await t.db.query(`SELECT COALESCE(SUM(balance), 0)::text AS sum FROM users`);
    const [{ rows }] = await t.db.query(`SELECT COUNT(*)::int AS rows FROM recharge_records`);
    const [{ refunds }] = await t.db.query(`SELECT COUNT(*)::int AS refunds FROM payment_refunds`);
    const paid: { order_no: string; status: string }[] = await t.db.query(
      `SELECT order_no, status FROM payment_orders WHERE paid_at IS NOT NULL ORDER BY order_no`,
    );
    const balances: { id: string; balance: string }[] = await t.db.query(`SELECT id::text, balance::text FROM users ORDER BY id`);
    return {
      balanceSum: sum as string,
      ledgerRows: rows as number,
      refunds: refunds as number,
      paidOrders: Object.fromEntries(paid.map((row) => [row.order_no, row.status])),
      balances: Object.fromEntries(balances.map((row) => [row.id, row.balance])),
    };
  }

  it('answers every fuzzed request of every documented operation without a 5xx, a leak, a foreign error shape or moved money', async () => {
    const started = performance.now();
    const document: OpenApiDocument = (await t.http.get('/api/docs-json').expect(200)).body;

    const resolve = (schema: Schema | undefined): Schema => {
      if (!schema) return {};
      if (schema.$ref) return resolve(document.components.schemas[schema.$ref.split('/').pop()!]);
      if (schema.allOf?.length) return { ...schema.allOf.map(resolve).reduce((a, b) => ({ ...a, ...b }), {}), ...schema, allOf: undefined };
      return schema;
    };

    // ---- the operations -------------------------------------------------
    const operations: Operation[] = [];
    for (const [path, methods] of Object.entries(document.paths)) {
      for (const [method, op] of Object.entries(methods)) {
        const parameters = op.parameters ?? [];
        const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
        operations.push({
          key: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          pathParams: parameters.filter((p) => p.in === 'path').map((p) => p.name),
          queryParams: parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: resolve(p.schema) })),
          headerParams: parameters.filter((p) => p.in === 'header').map((p) => p.name),
          body: media ? { type: contentType.includes('form') ? 'form' : 'json', schema: resolve(media.schema) } : undefined,
          webhook: !!op.tags?.includes('webhooks'),
          secured: !!op.security?.length,
          admin: path.startsWith('/api/admin'),
          notifyQuery: false,
        });
      }
    }
    // The GET Zpay notify documents its fields only in prose: fuzz it with the POST form's fields, as a query.
    for (const op of operations) {
      if (op.webhook && op.method === 'GET' && op.queryParams.length === 0) {
        const form = operations.find((o) => o.path === op.path && o.body?.type === 'form');
        if (form?.body) {
          op.queryParams = Object.entries(form.body.schema.properties ?? {}).map(([name, schema]) => ({ name, schema: resolve(schema) }));
          op.notifyQuery = true;
        }
      }
    }

    // ---- baseline (valid-looking) values, money always invalid ----------
    let unique = 0;
    const baselineValue = (name: string, raw: Schema, op: Operation): Json => {
      const schema = resolve(raw);
      if (MONEY_FIELDS.has(name)) return MONEY_BASELINE[name];
      if (name === 'email') return op.path.endsWith('/login') ? other.email : `fuzz-${++unique}@example.test`;
      if (name === 'username') return `fuzz_${++unique}`;
      if (name === 'out_trade_no') return ownerOrderNo;
      if (name === 'pid') return ZPAY_PID;
      if (schema.enum?.length) return schema.enum[0] as Json;
      if (schema.type === 'boolean') return false;
      if (schema.type === 'number' || schema.type === 'integer') return schema.minimum ?? 1;
      if (schema.type === 'object') return { object: {} };
      if (schema.format === 'date-time') return '2026-01-01T00:00:00.000Z';
      if (schema.pattern === '^[0-9a-f]{32}$') return 'a'.repeat(32);
      if (typeof schema.example === 'string' && schema.example.length <= (schema.maxLength ?? Infinity)) return schema.example;
      return 'fuzz baseline';
    };
    const baselineBody = (op: Operation): Record<string, Json> => {
      const body: Record<string, Json> = {};
      for (const [name, schema] of Object.entries(op.body?.schema.properties ?? {})) body[name] = baselineValue(name, schema, op);
      return body;
    };
    const wrongType = (raw: Schema): Json => {
      const type = resolve(raw).type;
      return type === 'string' ? 1e308 : type === 'boolean' ? 'yes' : type === 'object' ? 'not an object' : 'NaN';
    };

    const formEncode = (fields: Record<string, Json>): string => {
      const parts: string[] = [];
      const add = (key: string, value: Json) => {
        if (Array.isArray(value)) value.slice(0, 50).forEach((item) => add(key, item));
        else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) add(`${key}[${k}]`, v);
        else parts.push(`${pct(key)}=${pct(String(value))}`);
      };
      for (const [key, value] of Object.entries(fields)) add(key, value);
      return parts.join('&');
    };
    const encodeBody = (op: Operation, fields: Json): { body: string; headers: Record<string, string> } =>
      op.body?.type === 'form' && fields !== null && typeof fields === 'object' && !Array.isArray(fields)
        ? { body: formEncode(fields), headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }
        : { body: JSON.stringify(fields), headers: { 'Content-Type': 'application/json' } };

    // A real target (the owner's order or account) only ever gets a body the validation pipe must refuse,
    // so a fuzz value that happens to be valid cannot refund, confirm, adjust or disable anything.
    const GUARD_PROPERTY = 'fuzzUndeclaredProperty';
    const guard = (op: Operation, realTarget: boolean, body: Record<string, Json>) =>
      realTarget && op.method !== 'GET' && op.body?.type === 'json' ? { ...body, [GUARD_PROPERTY]: true } : body;

    const realPathValue = (name: string) => (name === 'orderNo' ? ownerOrderNo : owner.id);
    const buildPath = (op: Operation, value: (name: string) => string, raw = false) =>
      op.path.replace(/\{(\w+)\}/g, (_, name: string) => (raw ? value(name) : pct(value(name))));

    const notifyQuery = (op: Operation, override: Record<string, Json> = {}) => {
      const fields: Record<string, Json> = {};
      for (const { name, schema } of op.queryParams) fields[name] = baselineValue(name, schema, op);
      return formEncode({ ...fields, ...override });
    };

    // ---- cases per operation --------------------------------------------
    const JSON_TYPE = { 'Content-Type': 'application/json' };
    const FORM_TYPE = { 'Content-Type': 'application/x-www-form-urlencoded' };

    const casesOf = (op: Operation): Case[] => {
      const cases: Case[] = [];
      const hasPath = op.pathParams.length > 0;
      let fuzzPathTurn = 0;
      /** A target that names nothing: a valid-looking body gets through to the service and finds nothing. */
      const path = () => (hasPath ? buildPath(op, () => PATH_ALWAYS[fuzzPathTurn++ % PATH_ALWAYS.length]) : op.path);
      const realPath = () => buildPath(op, realPathValue);
      const withBody = (fields: Json, realTarget = false) =>
        op.body
          ? encodeBody(op, fields !== null && typeof fields === 'object' && !Array.isArray(fields) ? guard(op, realTarget, fields) : fields)
          : { headers: {} as Record<string, string>, body: undefined };
      const baseQuery = op.notifyQuery ? notifyQuery(op) : undefined;
      const add = (what: string, target: string, parts: Partial<Omit<Case, 'what' | 'path'>> = {}) =>
        cases.push({ what, path: target, headers: {}, realTarget: false, ...parts });

      // Plain: the real target (if any) with a baseline body; sent as every caller.
      add('plain', hasPath ? realPath() : op.path, { query: baseQuery, ...withBody(baselineBody(op), hasPath), realTarget: hasPath });

      // A request head over Node's 16 KB limit: refused before any route runs, still in the error shape.
      {
        const { headers, body } = withBody(baselineBody(op));
        add('a 17 KB header', path(), { query: baseQuery, headers: { ...headers, 'X-Fuzz-Padding': 'p'.repeat(17 * 1024) }, body, primaryOnly: true });
      }

      // Path parameters: escaped values, then a few sent as written.
      for (const name of op.pathParams) {
        const encoded = withBody(baselineBody(op));
        for (const value of [...PATH_ALWAYS, ...sample(PATH_POOL, 6, `${op.key} path ${name}`)]) {
          add(`path.${name} = ${excerpt(value, 60)}`, buildPath(op, () => value), { query: baseQuery, ...encoded });
        }
        for (const value of sample(RAW_PATH_POOL, 5, `${op.key} raw path ${name}`)) {
          add(`path.${name} raw ${value}`, buildPath(op, () => value, true), { query: baseQuery, ...encoded });
        }
      }

      // Query parameters: one at a time (the rest absent, or the notify's baseline), then all at once.
      for (const { name, schema } of op.queryParams) {
        const values = [...new Set([...QUERY_ALWAYS, ...queryEdges(schema), ...sample(QUERY_POOL, 5, `${op.key} query ${name}`)])];
        for (const value of values) {
          const safe = MONEY_FIELDS.has(name) && plausibleMoney(value) ? 'NaN' : value;
          add(`query.${name} = ${excerpt(value, 60)}`, path(), { query: op.notifyQuery ? notifyQuery(op, { [name]: safe }) : `${pct(name)}=${pct(safe)}` });
        }
        for (const form of RAW_QUERY_FORMS(name)) {
          add(`query raw ${excerpt(form, 60)}`, path(), { query: op.notifyQuery ? `${notifyQuery(op)}&${form}` : form });
        }
      }
      if (op.queryParams.length) {
        const values = sample(QUERY_POOL, op.queryParams.length, `${op.key} all query`);
        const pairs = op.queryParams.map(({ name }, i) => `${pct(name)}=${pct(MONEY_FIELDS.has(name) ? 'NaN' : values[i % values.length])}`);
        add('every query parameter fuzzed', path(), { query: pairs.join('&') });
      }
      // Any operation: an undeclared parameter, prototype keys, a broken escape, a long value.
      for (const junk of ['__proto__[isAdmin]=true', 'constructor[prototype][polluted]=true', 'undeclared=1', '%zz=%zz', `q=${'y'.repeat(10_000)}`]) {
        add(`query junk ${excerpt(junk, 40)}`, path(), { query: baseQuery ? `${baseQuery}&${junk}` : junk });
      }

      // Header parameters (Idempotency-Key), then one key with two different bodies.
      for (const name of op.headerParams) {
        const { headers, body } = withBody(baselineBody(op));
        for (const value of HEADER_VALUES) add(`header ${name} = ${excerpt(value, 40)}`, path(), { headers: { ...headers, [name]: value }, body });
        for (const remark of ['first body', 'second body']) {
          const reused = withBody({ ...baselineBody(op), remark });
          add(`header ${name} reused`, path(), { headers: { ...reused.headers, [name]: `fuzz-reused-${op.path}` }, body: reused.body });
        }
      }

      // Body fields: each set to wrong types and absurd values (money fields: never a plausible amount), the
      // others at their baseline; alternately against a fuzzed target and the owner's real one (guarded).
      if (op.body) {
        let turn = 0;
        for (const [name, schema] of Object.entries(op.body.schema.properties ?? {})) {
          const values = [wrongType(schema), ...BODY_ALWAYS, ...sample(BODY_POOL, 9, `${op.key} body ${name}`)].filter(
            (value) => !(MONEY_FIELDS.has(name) && plausibleMoney(value)),
          );
          const variants = values.map((value) => ({ what: `body.${name} = ${excerpt(value, 60)}`, fields: { ...baselineBody(op), [name]: value } }));
          const { [name]: _omitted, ...without } = baselineBody(op);
          variants.push({ what: `body.${name} missing`, fields: without });
          for (const { what, fields } of variants) {
            const realTarget = hasPath && turn++ % 2 === 1;
            add(what, realTarget ? realPath() : path(), { query: baseQuery, ...withBody(fields, realTarget), realTarget });
          }
        }
      }

      // Whole bodies that are not what any route expects: sent to every POST, with or without a declared body.
      if (op.method === 'POST') {
        const base = JSON.stringify(baselineBody(op));
        const first = Object.keys(op.body?.schema.properties ?? {})[0] ?? 'remark';
        const padded = (size: number) => JSON.stringify({ ...baselineBody(op), [first]: 'p'.repeat(size) });
        const bodies: [string, string | Buffer, Record<string, string>][] = [
          ['not JSON', 'this is {not json', JSON_TYPE],
          ['empty JSON body', '', JSON_TYPE],
          ['JSON array', JSON.stringify([baselineBody(op), 1, 'a']), JSON_TYPE],
          ['JSON string', '"just a string"', JSON_TYPE],
          ['JSON null', 'null', JSON_TYPE],
          ['JSON number', '1e999', JSON_TYPE],
          ['__proto__ payload', '{"__proto__":{"isAdmin":true}}', JSON_TYPE],
          ['constructor.prototype payload', '{"constructor":{"prototype":{"polluted":true}}}', JSON_TYPE],
          ['baseline + __proto__', `${base.slice(0, -1)}${base.length > 2 ? ',' : ''}"__proto__":{"isAdmin":true,"role":"admin"}}`, JSON_TYPE],
          ['duplicate keys', `{"${first}":"a","${first}":1e999}`, JSON_TYPE],
          ['nested 40 deep', JSON.stringify(NESTED_40), JSON_TYPE],
          ['array of 10k elements', JSON.stringify(ARRAY_10K), JSON_TYPE],
          ['invalid UTF-8', Buffer.concat([Buffer.from(`{"${first}":"`), Buffer.from([0xff, 0xfe, 0xc0, 0xaf]), Buffer.from('"}')]), JSON_TYPE],
          ['JSON as text/plain', base, { 'Content-Type': 'text/plain' }],
          ['JSON as form', base, FORM_TYPE],
          ['form with prototype keys', '__proto__[isAdmin]=true&constructor[prototype][polluted]=true&a=1&a=2', FORM_TYPE],
          ['unknown content type', base, { 'Content-Type': 'application/x-fuzz; charset=utf-7' }],
          ['multipart', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--b--\r\n', { 'Content-Type': 'multipart/form-data; boundary=b' }],
          ['70 KB body', padded(70 * 1024), JSON_TYPE],
          ['300 KB body', padded(300 * 1024), JSON_TYPE],
        ];
        if (op.body?.type === 'form') {
          bodies.push(['70 KB form', `${notifyQuery(op)}&pad=${'p'.repeat(70 * 1024)}`, FORM_TYPE]);
          bodies.push(['300 KB form', `${notifyQuery(op)}&pad=${'p'.repeat(300 * 1024)}`, FORM_TYPE]);
        }
        const target = path();
        for (const [what, body, headers] of bodies) add(what, target, { headers, body });
      }

      // Stripe's callbacks are verified by a header: send garbage ones too.
      if (op.webhook && op.path.endsWith('/stripe')) {
        const signatures = ['t=1,v1=deadbeef', `t=${Math.floor(Date.now() / 1000)},v1=${'0'.repeat(64)}`, 'garbage', 'v1=,t=', 'x'.repeat(4000)];
        cases.forEach((c, i) => {
          if (i % 2 === 0) c.headers = { ...c.headers, 'Stripe-Signature': signatures[i % signatures.length] };
        });
      }
      return cases;
    };

    // ---- callers --------------------------------------------------------
    const secret = t.config.auth.jwtSecret;
    const now = Math.floor(Date.now() / 1000);
    const badAuthorizations = [
      'Bearer not-a-jwt',
      `Bearer ${signJwt({ sub: owner.id, role: 'admin', tv: 0, iat: now - 7200, exp: now - 3600 }, secret)}`, // expired
      `Bearer ${signJwt({ sub: admin.id, role: 'admin', tv: 0, iat: now, exp: now + 600 }, 'a-different-secret-of-at-least-32-chars')}`,
      `Bearer ${b64url('{"alg":"none","typ":"JWT"}')}.${b64url(JSON.stringify({ sub: admin.id, role: 'admin', tv: 0 }))}.`,
      `Bearer ${signJwt({ sub: { $gt: '' }, role: 'admin', iat: now, exp: now + 600 }, secret)}`,
      `Bearer ${signJwt({ sub: '99999999999999999999', role: 'admin', iat: now, exp: now + 600 }, secret)}`,
      `Bearer ${signJwt({ sub: owner.id, role: 'admin', tv: 9999, iat: now, exp: now + 600 }, secret)}`, // stale token version
      `Bearer ${owner.token.slice(0, -2)}xx`,
      `Bearer ${'A'.repeat(4000)}`,
      'Bearer',
      'Basic dXNlcjpwYXNz',
    ];
    const authorizationOf = (caller: Caller, turn: number): string | undefined =>
      caller === 'none'
        ? undefined
        : caller === 'bad'
          ? badAuthorizations[turn % badAuthorizations.length]
          : bearer(caller === 'user' ? owner : caller === 'other' ? other : admin).Authorization;

    // Each case goes out as the caller who may use the route, plus one other caller in turn
    // (always the other user when the case aims at the owner's data); the plain case goes out as every caller.
    const probes: Probe[] = [];
    let turn = 0;
    for (const op of operations) {
      const primary: Caller = op.admin ? 'admin' : op.secured ? 'user' : 'none';
      const cases = casesOf(op);
      cases.forEach((c, index) => {
        const callers = new Set<Caller>([primary]);
        if (index === 0) {
          CALLERS.forEach((caller) => callers.add(caller));
        } else if (!c.primaryOnly) {
          const others = CALLERS.filter((caller) => caller !== primary);
          callers.add(others[turn % others.length]);
          if (c.realTarget) callers.add('other');
        }
        for (const caller of callers) {
          if (index === 0 && caller === 'bad') {
            badAuthorizations.forEach((_, i) => probes.push({ ...c, op, caller, authorization: authorizationOf('bad', i) }));
          } else {
            probes.push({ ...c, op, caller, authorization: authorizationOf(caller, turn) });
          }
          turn++;
        }
      });
    }

    // ---- what an answer must not contain -------------------------------
    const databaseUrl = new URL(process.env.DATABASE_URL!);
    const secrets: [string, string][] = [
      ['the JWT secret', secret],
      ['the Zpay key', ZPAY_KEY],
      ['the Stripe API key', STRIPE_API_KEY],
      ['the Stripe webhook secret', STRIPE_WEBHOOK_SECRET],
      ['the sandbox key', SANDBOX_KEY],
      ['DATABASE_URL', process.env.DATABASE_URL!],
      ['the database credentials', `${decodeURIComponent(databaseUrl.username)}:${decodeURIComponent(databaseUrl.password)}@`],
    ];
    const patterns: [string, RegExp][] = [
      ['a stack frame', /(?:^|\\n|\n)\s*at (?:async )?\S+/],
      ['a source position', /\.(?:ts|js|mjs|cjs):\d+/],
      ['node_modules', /node_modules/],
      ['a password hash', /\$2[aby]\$\d\d\$/],
      [
        'an internal error text',
        /QueryFailedError|invalid input syntax for|syntax error at or near|duplicate key value|Cannot read properties of|is not a function|TypeError|ReferenceError/,
      ],
    ];
    const [passwordHashRow] = await t.db.query(`SELECT password_hash FROM users WHERE id = $1`, [owner.id]);
    secrets.push(['the owner’s password hash', passwordHashRow.password_hash]);

    // ---- the pass ------------------------------------------------------
    const prototypeKeysBefore = Object.getOwnPropertyNames(Object.prototype).sort();
    const before = await moneyState();

    const byStatusClass: Record<string, number> = {};
    const byStatus: Record<number, number> = {};
    const serverErrors: string[] = [];
    const leaks: string[] = [];
    const badShapes: string[] = [];
    const authorization: string[] = [];
    const covered = new Set<string>();
    let sent = 0;

    const describeProbe = (p: Probe, status: number | string, answer: string) =>
      `${p.op.method} ${excerpt(p.path + (p.query ? `?${p.query}` : ''), 160)} ` +
      `[${p.caller}${p.caller === 'bad' ? `: ${excerpt(p.authorization ?? '', 40)}` : ''}] ${p.what}` +
      `${p.body !== undefined ? ` body=${excerpt(p.body, 160)}` : ''} → ${status} ${excerpt(answer, 300)}`;

    const collectText = (res: NodeJS.ReadableStream, done: (error: Error | null, body: string) => void) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(Buffer.from(chunk)));
      res.on('end', () => done(null, Buffer.concat(chunks).toString('utf8')));
      res.on('error', (error: Error) => done(error, ''));
    };

    const send = async (p: Probe): Promise<void> => {
      const url = p.path + (p.query !== undefined && p.query !== '' ? `?${p.query}` : '');
      const method = p.op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
      let request = t.http[method](url)
        .ok(() => true)
        .timeout(30_000)
        .buffer(true)
        .parse(collectText as never);
      for (const [name, value] of Object.entries(p.headers)) request = request.set(name, value);
      if (p.authorization !== undefined) request = request.set('Authorization', p.authorization);
      if (p.body !== undefined) request = request.send(p.body as never);
      covered.add(p.op.key);
      sent++;

      let res: Response;
      try {
        res = await request;
      } catch (error) {
        serverErrors.push(describeProbe(p, 'no answer', String((error as Error).message)));
        return;
      }
      const status = res.status;
      const text = typeof res.body === 'string' ? res.body : (res.text ?? '');
      byStatusClass[`${Math.floor(status / 100)}xx`] = (byStatusClass[`${Math.floor(status / 100)}xx`] ?? 0) + 1;
      byStatus[status] = (byStatus[status] ?? 0) + 1;

      if (status >= 500) serverErrors.push(describeProbe(p, status, text));

      const visible = `${text}\n${JSON.stringify(res.headers)}`;
      for (const [name, value] of secrets) if (value && visible.includes(value)) leaks.push(`${name}: ${describeProbe(p, status, text)}`);
      for (const [name, pattern] of patterns) if (pattern.test(visible)) leaks.push(`${name}: ${describeProbe(p, status, text)}`);
      // The owner's private data, to anyone but the owner and admins (unless the request itself carried it).
      if (p.caller !== 'user' && p.caller !== 'admin') {
        const sentText = `${url} ${excerpt(p.body ?? '', Infinity)}`;
        for (const [name, value] of [['the owner’s email', owner.email], ['the owner’s order number', ownerOrderNo]] as const) {
          if (text.includes(value) && !sentText.includes(value)) leaks.push(`${name}: ${describeProbe(p, status, text)}`);
        }
      }

      if (status >= 200 && status < 300) {
        if (p.op.secured && (p.caller === 'none' || p.caller === 'bad')) {
          authorization.push(`answered without a valid token: ${describeProbe(p, status, text)}`);
        }
        if (p.op.admin && p.caller !== 'admin') authorization.push(`admin route answered a non-admin: ${describeProbe(p, status, text)}`);
        if (p.realTarget && p.caller === 'other') authorization.push(`the owner’s resource answered another user: ${describeProbe(p, status, text)}`);
      }

      if (status >= 400 && !p.op.webhook) {
        let body: Record<string, unknown> | null = null;
        try {
          body = JSON.parse(text);
        } catch {
          body = null;
        }
        const message = body?.message;
        const shaped =
          body !== null &&
          typeof body === 'object' &&
          body.statusCode === status &&
          typeof body.error === 'string' &&
          typeof body.code === 'string' &&
          (typeof message === 'string' || (Array.isArray(message) && message.every((m) => typeof m === 'string'))) &&
          typeof body.requestId === 'string' &&
          body.requestId === res.headers['x-request-id'];
        if (!shaped) badShapes.push(describeProbe(p, status, text));
      }
    };

    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < probes.length) await send(probes[next++]);
      }),
    );

    const after = await moneyState();
    const newUsers = Object.keys(after.balances).filter((id) => !(id in before.balances));
    const moneyMoved: string[] = [];
    if (after.balanceSum !== before.balanceSum) moneyMoved.push(`sum of balances ${before.balanceSum} → ${after.balanceSum}`);
    if (after.ledgerRows !== before.ledgerRows) moneyMoved.push(`recharge_records rows ${before.ledgerRows} → ${after.ledgerRows}`);
    if (after.refunds !== before.refunds) moneyMoved.push(`payment_refunds rows ${before.refunds} → ${after.refunds}`);
    for (const [orderNo, status] of Object.entries(before.paidOrders)) {
      if (after.paidOrders[orderNo] !== status) moneyMoved.push(`paid order ${orderNo}: ${status} → ${after.paidOrders[orderNo]}`);
    }
    for (const [id, balance] of Object.entries(before.balances)) {
      if (after.balances[id] !== balance) moneyMoved.push(`user ${id} balance ${balance} → ${after.balances[id]}`);
    }
    for (const id of newUsers) if (Number(after.balances[id]) !== 0) moneyMoved.push(`new user ${id} has balance ${after.balances[id]}`);

    // The app runs in this process: a polluted prototype would show here.
    const pollution: string[] = [];
    const probe = {} as Record<string, unknown>;
    if (probe.isAdmin !== undefined) pollution.push(`({}).isAdmin is ${String(probe.isAdmin)}`);
    if (probe.polluted !== undefined) pollution.push(`({}).polluted is ${String(probe.polluted)}`);
    const prototypeKeysAfter = Object.getOwnPropertyNames(Object.prototype).sort();
    if (prototypeKeysAfter.join() !== prototypeKeysBefore.join()) pollution.push(`Object.prototype keys changed: ${prototypeKeysAfter.join()}`);

    // The owner's session still works: nothing disabled the account or invalidated its token.
    const me = await t.http.get('/api/users/me').set(bearer(owner));

    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const classes = Object.entries(byStatusClass)
      .sort()
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    console.log(
      `openapi-fuzz: ${covered.size}/${operations.length} operations covered, ${sent} requests, answers ${classes} ` +
        `(${Object.entries(byStatus).map(([k, v]) => `${k}:${v}`).join(' ')}), ` +
        `5xx or no answer=${serverErrors.length}, leaks=${leaks.length}, bad error shapes=${badShapes.length}, ` +
        `authorization failures=${authorization.length}, money changes=${moneyMoved.length}, ${seconds}s`,
    );

    const documented = Object.values(document.paths).reduce((n, methods) => n + Object.keys(methods).length, 0);
    expect(covered.size).toBe(documented);
    expect(me.status).toBe(200);
    expect({ serverErrors, leaks, badShapes, authorization, moneyMoved, pollution }).toEqual({
      serverErrors: [],
      leaks: [],
      badShapes: [],
      authorization: [],
      moneyMoved: [],
      pollution: [],
    });
  });
});
