import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger, NotFoundException } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../database/unavailable';
import { DomainException, ErrorKind } from './domain.exception';
import { currentTraceId } from '../telemetry/telemetry';

/** What a client is told to wait while the database is unreachable (a restart takes seconds). */
const DATABASE_RETRY_AFTER_SECONDS = 5;

const STATUS_BY_KIND: Record<ErrorKind, HttpStatus> = {
  [ErrorKind.Invalid]: HttpStatus.BAD_REQUEST,
  [ErrorKind.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [ErrorKind.Forbidden]: HttpStatus.FORBIDDEN,
  [ErrorKind.NotFound]: HttpStatus.NOT_FOUND,
  [ErrorKind.Conflict]: HttpStatus.CONFLICT,
  [ErrorKind.Unprocessable]: HttpStatus.UNPROCESSABLE_ENTITY,
  [ErrorKind.PaymentRequired]: HttpStatus.PAYMENT_REQUIRED,
  [ErrorKind.RateLimited]: HttpStatus.TOO_MANY_REQUESTS,
  [ErrorKind.Upstream]: HttpStatus.BAD_GATEWAY,
};

/** Codes for errors raised by the framework rather than by a module. */
const CODE_BY_STATUS: Partial<Record<number, string>> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
};

/** The one error shape of the API: {statusCode, error, message, requestId} plus a stable `code`. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  code: string;
  message: string | string[];
  requestId: string;
  /** The W3C trace id of the request, when tracing is on: the trace to open in the tracing backend. */
  traceId?: string;
  details?: Record<string, string>;
}

/** The answer for a module's error; also what is stored for an Idempotency-Key whose request ended in one. */
export function domainErrorBody(exception: DomainException, requestId: string): ErrorBody {
  const statusCode = STATUS_BY_KIND[exception.kind];
  const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode]!, code: exception.code, message: exception.message, requestId };
  return exception.details ? { ...body, details: exception.details } : body;
}

/**
 * Every error leaves the app through here. Unknown errors are logged with
 * their stack and answered with a bare 500: never a stack trace, an SQL
 * text or a secret to a client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(private readonly spaIndex?: (reply: FastifyReply) => unknown) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();

    if (this.spaIndex && exception instanceof NotFoundException && isPageRequest(request)) {
      void this.spaIndex(reply);
      return;
    }

    const body = this.toBody(exception, request);
    // With tracing on, the trace to look up sits beside the request id.
    const traceId = currentTraceId();
    if (traceId) body.traceId = traceId;
    if (exception instanceof DomainException && exception.retryAfterSeconds !== undefined) {
      void reply.header('Retry-After', String(exception.retryAfterSeconds));
    }
    if (body.code === 'DATABASE_UNAVAILABLE') {
      void reply.header('Retry-After', String(DATABASE_RETRY_AFTER_SECONDS));
      // An outage fails every request alike: one line each, without the stack.
      this.logger.warn({ requestId: body.requestId, cause: (exception as { code?: string }).code }, 'database unavailable');
    } else if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId: body.requestId }, 'request failed');
    }
    void reply.status(body.statusCode).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  private toBody(exception: unknown, request: FastifyRequest): ErrorBody {
    const requestId = String(request.id);
    if (exception instanceof DomainException) return domainErrorBody(exception, requestId);
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'object' && response !== null && 'message' in response
          ? (response as { message: string | string[] }).message
          : exception.message;
      return {
        statusCode,
        error: STATUS_CODES[statusCode] ?? 'Error',
        code: CODE_BY_STATUS[statusCode] ?? 'HTTP_' + statusCode,
        message,
        requestId,
      };
    }
    // Fastify's own errors (malformed JSON, body too large, bad content type) carry a 4xx statusCode.
    const status = (exception as { statusCode?: unknown })?.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return {
        statusCode: status,
        error: STATUS_CODES[status] ?? 'Error',
        code: CODE_BY_STATUS[status] ?? 'HTTP_' + status,
        message: (exception as Error).message,
        requestId,
      };
    }
    if (isDatabaseUnavailable(exception)) {
      // Retrying is safe: a gateway's notify is applied once by the order's state, other money moves by Idempotency-Key.
      return { statusCode: 503, error: STATUS_CODES[503]!, code: 'DATABASE_UNAVAILABLE', message: 'the database is unavailable; try again shortly', requestId };
    }
    return { statusCode: 500, error: STATUS_CODES[500]!, code: 'INTERNAL', message: 'Internal server error', requestId };
  }
}

/** A browser navigating to a page of the web app (not an API or metrics call). */
function isPageRequest(request: FastifyRequest): boolean {
  const path = request.url.split('?')[0];
  return (
    request.method === 'GET' &&
    !path.startsWith('/api/') &&
    path !== '/api' &&
    path !== '/metrics' &&
    String(request.headers.accept ?? '').includes('text/html')
  );
}
