import Ajv, { type ValidateFunction } from 'ajv';

type Schema = Record<string, unknown>;

/** OpenAPI 3.0's `nullable: true` as JSON Schema: the type, or null. */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const schema: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key === 'nullable') continue;
    schema[key] = toJsonSchema(value);
  }
  if ((node as Schema).nullable === true) {
    if (typeof schema.type === 'string') schema.type = [schema.type, 'null'];
    if (Array.isArray(schema.enum)) schema.enum = [...schema.enum, null];
    if (schema.$ref || schema.allOf || schema.oneOf) return { anyOf: [schema, { type: 'null' }] };
  }
  return schema;
}

/**
 * Checks real answers against the OpenAPI document the API serves, as a
 * contract proxy would: the schema of the operation's documented status.
 */
export class OpenApiAnswers {
  private readonly ajv = new Ajv({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Schema }> }> }>>; components: { schemas: Schema } }) {
    this.ajv.addSchema({ $id: 'doc', components: toJsonSchema(document.components) as Schema });
  }

  /** The problems of `body` as the answer `status` of `method path` (a path template: /api/payment/orders/{orderNo}); [] when it conforms. */
  problems(method: string, path: string, status: number, body: unknown): string[] {
    const key = `${method} ${path} ${status}`;
    let validate = this.compiled.get(key);
    if (!validate) {
      const operation = this.document.paths[path]?.[method.toLowerCase()];
      const schema = operation?.responses[String(status)]?.content?.['application/json']?.schema;
      if (!schema) return [`${key} is not documented with a JSON body`];
      const rewritten = JSON.parse(JSON.stringify(toJsonSchema(schema)).replace(/"#\/components\//g, '"doc#/components/'));
      validate = this.ajv.compile(rewritten);
      this.compiled.set(key, validate);
    }
    return validate(body) ? [] : (validate.errors ?? []).map((e) => `${key}: ${e.instancePath || '(body)'} ${e.message}`);
  }
}
