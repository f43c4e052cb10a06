import { appendFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;
type Responses = Record<string, { content?: Record<string, { schema?: Schema }> }>;
export type OpenApiDocument = {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { schemas: Schema };
};

/** OpenAPI 3.0's `nullable: true` as JSON Schema: the type, or null. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const schema: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'nullable') continue;
    schema[key] = toJsonSchema(value);
  }
  // OpenAPI 3.0's exclusive bounds are flags on minimum / maximum; JSON Schema's are the bounds themselves.
  for (const [flag, bound] of [['exclusiveMinimum', 'minimum'], ['exclusiveMaximum', 'maximum']] as const) {
    if (typeof schema[flag] === 'boolean') {
      if (schema[flag] === true) schema[flag] = schema[bound];
      else delete schema[flag];
      if (schema[flag] !== undefined) delete schema[bound];
    }
  }
  if ((node as Schema).nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    if (schema.$ref || schema.allOf || schema.oneOf) return { anyOf: [schema, { type: 'null' }] };
  }
  return schema;
}

const HTTP_METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/** A documented path as a matcher; literal segments outrank parameters (/users/export before /users/{id}). */
type PathTemplate = { path: string; pattern: RegExp; parameters: number };

function templatesOf(document: OpenApiDocument): PathTemplate[] {
  return Object.keys(document.paths)
    .map((path) => {
      const parameters = (path.match(/\{[^}]+\}/g) ?? []).length;
      const source = path
        .split(/(\{[^}]+\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
        .join('');
      return { path, pattern: new RegExp(`^${source}$`), parameters };
    })
    .sort((a, b) => a.parameters - b.parameters);
}

/**
 * Checks real answers against the OpenAPI document the API serves, as a
 * contract proxy (Prism) would: the status must be one the operation
 * documents, and a JSON body must match that status's schema.
 */
export class OpenApiAnswers {
  private readonly ajv = new Ajv({
    strict: false,
    allErrors: true,
    // The formats the document uses: times as the API writes them (ISO-8601 UTC), ids as UUIDs; a password is any string.
    formats: {
      'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/,
      uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
      password: true,
    },
  });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: PathTemplate[];

  constructor(private readonly document: OpenApiDocument) {
    this.ajv.addSchema({ $id: 'doc', components: toJsonSchema(document.components) as Schema });
    this.templates = templatesOf(document);
  }

  /** Every documented operation, as "METHOD /path/{template}". */
  operations(): string[] {
    return Object.entries(this.document.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((method) => HTTP_METHODS.has(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
  }

  /** The documented path template a request URL falls under, or null when the document has none. */
  templateOf(method: string, url: string): string | null {
    const path = url.split('?')[0];
    const found = this.templates.find((t) => t.pattern.test(path) && this.document.paths[t.path][method.toLowerCase()]);
    return found?.path ?? null;
  }

  /** The problems of `body` as the answer `status` of `method path` (a path template: /api/payment/orders/{orderNo}); [] when it conforms. */
  problems(method: string, path: string, status: number, body: unknown): string[] {
    const key = `${method} ${path} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const responses = this.document.paths[path]?.[method.toLowerCase()]?.responses;
      if (!responses) return [`${method} ${path} is not documented`];
      const response = responses[String(status)] ?? responses.default;
      if (!response) return [`${key}: the status is not documented (documented: ${Object.keys(responses).join(', ')})`];
      const schema = response.content?.['application/json']?.schema;
      if (!schema) return [`${key} is not documented with a JSON body`];
      const rewritten = JSON.parse(JSON.stringify(toJsonSchema(schema)).replace(/"#\/components\//g, '"doc#/components/'));
      validate = this.ajv.compile(rewritten);
      this.compiled.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(body)'} ${e.message}`);
  }

  /** The problems of an answer of any content type: an undocumented status, or a JSON body off its schema. */
  answerProblems(method: string, path: string, status: number, contentType: string, body: string): string[] {
    if (contentType.startsWith('application/json')) return this.problems(method, path, status, body === '' ? null : JSON.parse(body));
    const responses = this.document.paths[path]?.[method.toLowerCase()]?.responses;
    if (!responses) return [`${method} ${path} is not documented`];
    return responses[String(status)] || responses.default ? [] : [`${method} ${path} ${status}: the status is not documented (documented: ${Object.keys(responses).join(', ')})`];
  }
}

/** A JSON answer longer than this is checked by its status only (no answer of the API comes near it but a data export). */
const MAX_KEPT_BYTES = 4 * 2 ** 20;

/** Where every test process writes the operations it saw answered, for the run's coverage check. */
export const CONTRACT_LOG_DIR_ENV = 'RECHARGE_TEST_CONTRACT_DIR';

/**
 * Sits in front of an app's request handler and checks every answer against
 * the app's own OpenAPI document, so every integration test is also a
 * contract test. Answers to paths the document does not describe (gateway
 * callbacks, probes, the web app) pass through unchecked.
 */
export class ContractRecorder {
  readonly problems: string[] = [];
  private answers: OpenApiAnswers | null = null;

  constructor(private readonly loadDocument: () => OpenApiDocument) {}

  wrap(handler: RequestListener): RequestListener {
    return (request: IncomingMessage, response: ServerResponse) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      // Headers handed to writeHead (as Fastify does) are not visible through getHeader: the content type is taken from either.
      let writtenType: string | undefined;
      const contentType = () => writtenType ?? String(response.getHeader('content-type') ?? '');
      const writeHead = response.writeHead.bind(response) as (...args: unknown[]) => ServerResponse;
      const write = response.write.bind(response) as (...args: unknown[]) => boolean;
      const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
      response.writeHead = ((...args: unknown[]) => {
        const headers = args.find((arg) => arg && typeof arg === 'object') as Record<string, unknown> | unknown[] | undefined;
        if (Array.isArray(headers)) {
          for (let i = 0; i + 1 < headers.length; i += 2) if (String(headers[i]).toLowerCase() === 'content-type') writtenType = String(headers[i + 1]);
        } else if (headers) {
          for (const [name, value] of Object.entries(headers)) if (name.toLowerCase() === 'content-type') writtenType = String(value);
        }
        return writeHead(...args);
      }) as typeof response.writeHead;
      // Only a JSON body is checked against a schema, so only a JSON body is kept (a CSV export can be many megabytes).
      const keep = (chunk: unknown, encoding?: unknown) => {
        if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
        if (!contentType().startsWith('application/json') || kept > MAX_KEPT_BYTES) return;
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
        kept += buffer.length;
        chunks.push(buffer);
      };
      response.write = ((chunk: unknown, ...rest: unknown[]) => (keep(chunk, rest[0]), write(chunk, ...rest))) as typeof response.write;
      response.end = ((chunk?: unknown, ...rest: unknown[]) => (keep(chunk, rest[0]), end(chunk, ...rest))) as typeof response.end;
      response.on('finish', () => {
        const body = kept > MAX_KEPT_BYTES ? null : Buffer.concat(chunks).toString('utf8');
        this.check(request.method ?? 'GET', request.url ?? '/', response.statusCode, contentType(), body);
      });
      handler(request, response);
    };
  }

  /** `body` is null when it was too large to keep: then only its status is checked. */
  private check(method: string, url: string, status: number, contentType: string, body: string | null): void {
    const dir = process.env[CONTRACT_LOG_DIR_ENV];
    if (!this.answers) {
      this.answers = new OpenApiAnswers(this.loadDocument());
      if (dir) writeFileSync(join(dir, `${process.pid}.operations.json`), JSON.stringify(this.answers.operations()));
    }
    const path = this.answers.templateOf(method, url);
    if (!path) return;
    const problems = this.answers.answerProblems(method, path, status, body === null ? 'application/octet-stream' : contentType, body ?? '');
    this.problems.push(...problems.map((p) => (body === null || body.length > 300 ? p : `${p} — answer: ${body}`)));
    if (dir && problems.length === 0) appendFileSync(join(dir, `${process.pid}.log`), `${method} ${path} ${status}\n`);
  }
}

/**
 * After a whole run: the documented operations no test saw answered with a
 * 2xx. Each operation's answers are only checked when some test calls it, so
 * an operation no test reaches would let its document drift unseen.
 */
export function operationsNeverAnswered(dir: string, files: string[], read: (file: string) => string): string[] {
  const documented = new Set<string>();
  const answered = new Set<string>();
  for (const file of files) {
    if (file.endsWith('.operations.json')) for (const operation of JSON.parse(read(file)) as string[]) documented.add(operation);
    if (file.endsWith('.log')) {
      for (const line of read(file).split('\n')) {
        const [method, path, status] = line.split(' ');
        if (status?.startsWith('2')) answered.add(`${method} ${path}`);
      }
    }
  }
  return [...documented].filter((operation) => !answered.has(operation)).sort();
}
