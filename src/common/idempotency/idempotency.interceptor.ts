import { createHash } from 'node:crypto';
import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata, UseInterceptors, applyDecorators } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { DomainException, ErrorKind } from '../errors/domain.exception';
import { IdempotencyStore } from './idempotency.store';

const IDEMPOTENT = 'http:idempotent';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Who a key belongs to: keys are scoped to the caller, a user or a service's API key. */
type Caller = { user?: { id: string }; apiKey?: { id: string } };

/**
 * Marks a money-moving POST: an `Idempotency-Key` header makes a retry with
 * the same key and body replay the first answer (status and body) instead
 * of running again; another body with the key is a 422; a retry while the
 * first is still running is a 409. Keys are per caller and kept 24 hours.
 * Only the routes marked run the interceptor (it is not global: every other
 * request skips its machinery).
 */
export const Idempotent = (options: { required?: boolean } = {}) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT, { required: options.required ?? false }),
    UseInterceptors(IdempotencyInterceptor),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.required ?? false,
      schema: { type: 'string', maxLength: 255, pattern: '^[\\x21-\\x7e]+$' },
      description: 'Up to 255 visible ASCII characters. A retry with the same key and body gets the first answer again.',
    }),
    // 409 (a request with the key still running) shares the route's own 409 description.
    ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used before with another body' }),
  );

const idempotencyError = (code: string, message: string, kind: ErrorKind) => new DomainException(code, message, kind);

/** The caller's scope and the request's Idempotency-Key; null when none was sent and none is required. */
export function idempotencyKeyOf(request: FastifyRequest & Caller, required: boolean): { scope: string; key: string; hash: string } | null {
  const header = request.headers['idempotency-key'];
  if (header === undefined) {
    if (required) throw idempotencyError('IDEMPOTENCY_KEY_REQUIRED', 'this request needs an Idempotency-Key header', ErrorKind.Invalid);
    return null;
  }
  if (typeof header !== 'string' || !KEY_PATTERN.test(header)) {
    throw idempotencyError('IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1-255 visible ASCII characters', ErrorKind.Invalid);
  }
  const scope = request.apiKey ? `apikey:${request.apiKey.id}` : `user:${request.user?.id ?? 'anonymous'}`;
  const hash = createHash('sha256')
    .update(`${request.method} ${request.routeOptions.url} ${JSON.stringify(request.params)} ${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
  return { scope, key: header, hash };
}

/** The errors of a key that cannot run: used with another body (422), or still running (409). */
export const idempotencyErrors = {
  reused: () => idempotencyError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request', ErrorKind.Unprocessable),
  inUse: () => idempotencyError('IDEMPOTENCY_KEY_IN_USE', 'a request with this Idempotency-Key is still running', ErrorKind.Conflict),
};

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<{ required: boolean } | undefined>(IDEMPOTENT, context.getHandler());
    if (!options) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & Caller>();
    const idempotency = idempotencyKeyOf(request, options.required);
    if (!idempotency) return next.handle();
    const { scope, key: header, hash } = idempotency;
    const reply = context.switchToHttp().getResponse<FastifyReply>();

    return from(this.store.claim(scope, header, hash)).pipe(
      mergeMap((claim) => {
        switch (claim.kind) {
          case 'mismatch':
            return throwError(idempotencyErrors.reused);
          case 'in_progress':
            return throwError(idempotencyErrors.inUse);
          case 'done':
            reply.status(claim.status).header('idempotent-replayed', 'true');
            return of(claim.body);
          case 'claimed':
            return next.handle().pipe(
              mergeMap((body) => from(this.store.complete(scope, header, reply.statusCode, body).then(() => body))),
              catchError((error: unknown) => from(this.store.release(scope, header)).pipe(mergeMap(() => throwError(() => error)))),
            );
        }
      }),
    );
  }
}
