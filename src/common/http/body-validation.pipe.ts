import { ArgumentMetadata, Injectable, ValidationPipe, ValidationPipeOptions } from '@nestjs/common';
import Ajv, { type ValidateFunction } from 'ajv';

/**
 * A JSON Schema that accepts only bodies the DTO's class-validator rules
 * accept: plain, already-trimmed fields with no unknown key. It may be
 * stricter than the rules (a body it refuses is judged by them), never looser.
 */
export interface FastBodySchema {
  type: 'object';
  properties: Record<string, object>;
  required: string[];
  additionalProperties: false;
}

/** How every body, query and parameter DTO is validated. */
export const VALIDATION_OPTIONS: ValidationPipeOptions = {
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  // One message per field: the first rule it breaks. class-validator runs a
  // property's decorators bottom-up, so DTOs put the type check nearest the property.
  stopAtFirstError: true,
};

const ajv = new Ajv({ allErrors: false, strict: true });
const fastPaths = new WeakMap<object, ValidateFunction>();

/**
 * Marks a hot request body's DTO with a schema compiled once, at start-up,
 * into a validator function. A body it accepts is used as it came, without
 * class-transformer or class-validator; any other body goes through them, so
 * a 400 names each problem in the same words as everywhere else.
 */
export function FastBody(schema: FastBodySchema): ClassDecorator {
  const validate = ajv.compile(schema);
  return (target) => {
    fastPaths.set(target, validate);
  };
}

/**
 * The global ValidationPipe, with the fast path of FastBody DTOs in front of
 * it. Both paths give the handler an instance of the DTO with the same fields.
 */
@Injectable()
export class BodyValidationPipe extends ValidationPipe {
  constructor(options: ValidationPipeOptions) {
    super(options);
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const fastPath = metadata.type === 'body' && metadata.metatype ? fastPaths.get(metadata.metatype) : undefined;
    if (fastPath?.(value)) return Object.assign(new (metadata.metatype as new () => object)(), value);
    return super.transform(value, metadata);
  }
}
