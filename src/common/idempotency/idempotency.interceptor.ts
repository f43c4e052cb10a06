import { createHash } from 'node:crypto';
import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
  UseInterceptors,
  applyDecorators,
  createParamDecorator,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, from, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { DomainException, ErrorKind } from '../errors/domain.exception';
import { IdempotencyClaim, IdempotencyStore, idempotencyErrors } from './idempotency.store';

export { idempotencyErrors };

export const IDEMPOTENT = 'http:idempotent';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

/** Who a key belongs to: keys are scoped to the caller, a user or a service's API key. */
type Caller = { user?: { id: string }; apiKey?: { id: string } };
/** The claim the interceptor made for this request, handed to the handler by @ClaimedKey(). */
type Claimed = { idempotencyClaim?: IdempotencyClaim };

/**
 * Marks a money-moving POST: an `Idempotency-Key` header makes a retry with
 * the same key and body replay the first answer (status and body) instead
 * of running again; another body with the key is a 422; a retry while the
 * first is still running is a 409 with Retry-After (the seconds left of the
 * first's lease; past it, the key is taken over). Keys are per caller and
 * kept 24 hours. Only the routes marked run the interceptor (it is not
 * global: every other request skips its machinery).
 *
 * A marked handler takes the claim with @ClaimedKey() and hands it to the
 * transaction of its effect, which records the answer with it (see
 * IdempotencyClaim): the key is done when the effect commits, whatever
 * happens to the process afterwards.
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

/** The request's claim on its Idempotency-Key, for its effect's transaction; null when the request sent no key. */
export const ClaimedKey = createParamDecorator(
  (_: unknown, context: ExecutionContext): IdempotencyClaim | null => context.switchToHttp().getRequest<Claimed>().idempotencyClaim ?? null,
);

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

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly store: IdempotencyStore,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.reflector.get<{ required: boolean } | undefined>(IDEMPOTENT, context.getHandler());
    if (!options) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & Caller & Claimed>();
    const idempotency = idempotencyKeyOf(request, options.required);
    if (!idempotency) return next.handle();
    const { scope, key: header, hash } = idempotency;
    const reply = context.switchToHttp().getResponse<FastifyReply>();

    // The route's success status is set before interceptors run; the effect records it unless it says another.
    return from(this.store.claim(scope, header, hash, reply.statusCode)).pipe(
      mergeMap((held) => {
        switch (held.kind) {
          case 'mismatch':
            return throwError(idempotencyErrors.reused);
          case 'in_progress':
            return throwError(() => idempotencyErrors.inUse(held.retryAfterSeconds));
          case 'done':
            reply.status(held.status).header('idempotent-replayed', 'true');
            return of(held.body);
          case 'claimed': {
            const { claim } = held;
            request.idempotencyClaim = claim;
            return next.handle().pipe(
              // A failed request frees its key (unless a retry took it over), and its retry runs in full.
              catchError((error: unknown) => from(this.store.release(claim)).pipe(mergeMap(() => throwError(() => error)))),
              // The effect recorded its answer as of its commit; the final answer (after a gateway call, say) replaces it.
              mergeMap((body) => from(this.store.complete(claim, reply.statusCode, body).then(() => body))),
            );
          }
        }
      }),
    );
  }
}
