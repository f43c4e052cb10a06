import { BadRequestException, CanActivate, ExecutionContext, Injectable, PayloadTooLargeException, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';

/** Request bodies are refused above this size (413), except on routes that allow more with @BodyLimit. */
export const DEFAULT_BODY_LIMIT = 64 * 1024;
/** The most any route allows; the HTTP server itself refuses larger bodies before reading them. */
export const MAX_BODY_LIMIT = 256 * 1024;

const BODY_LIMIT = 'http:body-limit';
/** A larger body limit for a controller or route (gateways' callbacks). */
export const BodyLimit = (bytes: number) => SetMetadata(BODY_LIMIT, bytes);

/** Deeper JSON is refused before anything walks it recursively (the validation pipe would overflow the stack). */
export const MAX_JSON_DEPTH = 32;

const NUL = '\u0000';
/** A surrogate half without its other half: text that PostgreSQL (UTF-8) cannot store. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function textProblem(text: string, where: string): string | null {
  if (text.includes(NUL)) return `${where} contains a NUL character`;
  if (LONE_SURROGATE.test(text)) return `${where} contains text that is not valid Unicode (a lone surrogate)`;
  return null;
}

/**
 * What is wrong with a request's path, query or body values, or null: text
 * PostgreSQL cannot store, or JSON nested deeper than MAX_JSON_DEPTH. Walks
 * iteratively; removes properties whose value is null, so that an optional
 * field sent as null is absent rather than a value no rule expected.
 */
export function inputProblem(root: unknown, name: string): string | null {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value: root, path: name, depth: 0 }];
  while (stack.length > 0) {
    const { value, path, depth } = stack.pop()!;
    if (typeof value === 'string') {
      const problem = textProblem(value, path);
      if (problem) return problem;
      continue;
    }
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return `${name} is nested deeper than ${MAX_JSON_DEPTH} levels`;
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      const keyProblem = textProblem(key, `a field name in ${path}`);
      if (keyProblem) return keyProblem;
      if (object[key] === null && !Array.isArray(object)) {
        delete object[key];
        continue;
      }
      stack.push({ value: object[key], path: Array.isArray(object) ? `${path}[${key}]` : `${path}.${key}`, depth: depth + 1 });
    }
  }
  return null;
}

/**
 * First at the edge, for every route: a body over the route's limit is a
 * 413; path, query and body values that no
 * rule below could handle safely are a 400 naming the field, not a 500 from
 * deep inside (a stack overflow, or PostgreSQL refusing the text).
 */
@Injectable()
export class InputGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ params?: unknown; query?: unknown; body?: unknown; rawBody?: Buffer }>();
    const limit =
      this.reflector.getAllAndOverride<number | undefined>(BODY_LIMIT, [context.getHandler(), context.getClass()]) ?? DEFAULT_BODY_LIMIT;
    if ((request.rawBody?.length ?? 0) > limit) throw new PayloadTooLargeException(`the body is larger than ${limit / 1024} KB`);
    const problem =
      inputProblem(request.params, 'path') ?? inputProblem(request.query, 'query') ?? inputProblem(request.body, 'body');
    if (problem) throw new BadRequestException([problem]);
    return true;
  }
}
