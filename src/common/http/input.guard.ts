import { BadRequestException, CanActivate, ExecutionContext, Injectable } from '@nestjs/common';

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
 * First at the edge, for every route: path, query and body values that no
 * rule below could handle safely are a 400 naming the field, not a 500 from
 * deep inside (a stack overflow, or PostgreSQL refusing the text).
 */
@Injectable()
export class InputGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<{ params?: unknown; query?: unknown; body?: unknown }>();
    const problem =
      inputProblem(request.params, 'path') ?? inputProblem(request.query, 'query') ?? inputProblem(request.body, 'body');
    if (problem) throw new BadRequestException([problem]);
    return true;
  }
}
