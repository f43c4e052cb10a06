import { randomUUID } from 'node:crypto';
import { IncomingMessage, STATUS_CODES, ServerResponse } from 'node:http';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import helmet from 'helmet';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type {} from '@fastify/static';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { Logger, PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './common/config/app-config';
import { AllExceptionsFilter } from './common/errors/all-exceptions.filter';
import { BodyValidationPipe, VALIDATION_OPTIONS } from './common/http/body-validation.pipe';
import { MAX_BODY_LIMIT } from './common/http/input.guard';
import { isServiceRoute, pathOf } from './common/http/route-kinds';
import { createLogger } from './common/logging/logger';
import { RequestLogController, registerRequestContext } from './common/logging/request-logging';
import { annotateRequestSpan } from './common/telemetry/telemetry';
import { MetricsService } from './common/metrics/metrics.service';
import { GATEWAYS } from './payments/providers';

/** The longest path parameter the router accepts (order numbers and ids are far shorter). */
const MAX_PATH_SEGMENT = 100;

/** A caller's X-Request-Id is kept when it is short and plain; otherwise we make one. */
const REQUEST_ID_PATTERN = /^[\w.:-]{1,100}$/;

function requestId(raw: { headers: Record<string, string | string[] | undefined> }): string {
  const given = raw.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID_PATTERN.test(given) ? given : randomUUID();
}

/**
 * Errors Fastify's router raises before any route runs (a broken percent
 * escape, an over-long path segment), answered in the one error shape and
 * without echoing the URL.
 */
function frameworkError(error: { code?: string; statusCode?: number }, request: { id: string }, reply: FastifyReply): void {
  const tooLong = error.code === 'FST_ERR_MAX_PARAM_LENGTH';
  const statusCode = tooLong ? 414 : error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  void reply
    .code(statusCode)
    .header('x-request-id', request.id)
    .header('content-type', 'application/json; charset=utf-8')
    .send({
      statusCode,
      error: STATUS_CODES[statusCode] ?? 'Error',
      code: tooLong ? 'URI_TOO_LONG' : 'BAD_URL',
      message: tooLong ? `a path segment is longer than ${MAX_PATH_SEGMENT} characters` : 'the URL is not valid (a broken percent escape)',
      requestId: request.id,
    });
}

/** Errors Node's HTTP parser raises before Fastify sees a request, by parser code. */
const CLIENT_ERRORS: Record<string, { statusCode: number; code: string; message: string }> = {
  HPE_HEADER_OVERFLOW: { statusCode: 431, code: 'HEADERS_TOO_LARGE', message: 'the request headers are larger than 16 KB' },
  ERR_HTTP_REQUEST_TIMEOUT: { statusCode: 408, code: 'REQUEST_TIMEOUT', message: 'the request was not received in time' },
};

/**
 * A request the HTTP parser refused (headers too large, malformed, too
 * slow), answered on the raw socket in the one error shape. There is no
 * request yet, so the id is made here.
 */
function clientError(error: NodeJS.ErrnoException, socket: import('node:net').Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const known = CLIENT_ERRORS[error.code ?? ''] ?? { statusCode: 400, code: 'BAD_REQUEST', message: 'the request is not valid HTTP' };
  const id = randomUUID();
  const status = STATUS_CODES[known.statusCode] ?? 'Error';
  const body = JSON.stringify({ statusCode: known.statusCode, error: status, code: known.code, message: known.message, requestId: id });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${known.statusCode} ${status}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nX-Request-Id: ${id}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

/**
 * helmet's headers for what browsers load, worked out once: with these options
 * none of them depends on the request, so each browser route gets the same set
 * in one call instead of running helmet's dozen middlewares every time.
 */
const BROWSER_HEADERS: Record<string, string> = (() => {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  helmet({
    // The Swagger UI and the web app load their own scripts and styles only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'https:'],
      },
    },
  })({} as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error;
  });
  return headers;
})();

type OpenApiDocument = ReturnType<typeof SwaggerModule.createDocument>;

/** The limits of path parameters, stated once: an order number fits its column, an id is a positive BIGINT. */
const PATH_PARAMETER_SCHEMAS: Record<string, object> = {
  orderNo: { type: 'string', maxLength: 50 },
  id: { type: 'string', maxLength: 19, pattern: '^[1-9]\\d{0,18}$' },
  userId: { type: 'string', maxLength: 19, pattern: '^[1-9]\\d{0,18}$' },
  deliveryId: { type: 'string', maxLength: 19, pattern: '^[1-9]\\d{0,18}$' },
  // A gateway's name, and a gateway's id of its news (payment_webhook_events.event_id).
  provider: { type: 'string', maxLength: 20, pattern: '^[a-z][a-z0-9_]{1,19}$' },
  eventId: { type: 'string', maxLength: 255 },
};

/** Tags whose routes are exempt from rate limits (gateways and probes retry). */
const UNLIMITED_TAGS = new Set(['webhooks', 'health']);

/** What the edge reads and writes of an operation in the document. */
type DocumentedOperation = {
  security?: unknown[];
  tags?: string[];
  requestBody?: unknown;
  parameters?: { in: string; name: string; schema?: object }[];
  responses: Record<string, unknown>;
};

/**
 * The answers the global edge gives every route (authentication, roles,
 * validation, body size, rate limits), written into each operation so a
 * client, or a proxy checking the contract, knows every status it can get.
 * A route's own description of the same status is kept.
 */
function documentEdgeResponses(document: OpenApiDocument): OpenApiDocument {
  const error = (description: string) => ({ description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorDto' } } } });
  document.components ??= {};
  document.components.schemas ??= {};
  document.components.schemas.ErrorDto = {
    type: 'object',
    required: ['statusCode', 'error', 'code', 'message', 'requestId'],
    properties: {
      statusCode: { type: 'integer', example: 400 },
      error: { type: 'string', example: 'Bad Request' },
      code: { type: 'string', example: 'VALIDATION_FAILED', description: 'Stable machine code' },
      message: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }], description: 'A 400 lists each field’s problem' },
      requestId: { type: 'string', description: 'Also in the X-Request-Id header' },
      traceId: { type: 'string', description: 'The W3C trace id of the request, when tracing (OpenTelemetry) is on' },
      details: {
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Values to act on, when the error has them: a 402 gives the available balance ({"available": "3.50000000"})',
      },
    },
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations) as [string, DocumentedOperation][]) {
      for (const parameter of operation.parameters ?? []) {
        if (parameter.in === 'path' && PATH_PARAMETER_SCHEMAS[parameter.name]) parameter.schema = PATH_PARAMETER_SCHEMAS[parameter.name];
      }
      const add = (status: string, description: string) => (operation.responses[status] ??= error(description));
      const signedIn = operation.security?.some((scheme) => 'bearer' in (scheme as object));
      if (operation.security?.length) add('401', 'No valid bearer token (missing, expired, or issued before a role, password or status change)');
      if (path.startsWith('/api/admin')) add('403', 'The caller is not an admin, or the account is disabled (AUTH_USER_DISABLED)');
      else if (signedIn) add('403', 'The account is disabled (AUTH_USER_DISABLED)');
      const queried = operation.parameters?.some((parameter) => parameter.in === 'query');
      const pathed = operation.parameters?.some((parameter) => parameter.in === 'path');
      if (['post', 'put', 'patch'].includes(method)) {
        // Any request may carry a body, so its limits apply to routes that read none too.
        add('413', 'The body is larger than the route allows (64 KB; 256 KB for gateway callbacks)');
        add('415', 'The body is of a content type the route does not take (JSON; a form for gateway callbacks that post one)');
      }
      if (operation.requestBody) {
        add('400', 'A field is invalid (each problem listed), JSON is malformed or nested deeper than 32, or text holds a NUL or a lone surrogate');
      } else if (queried) {
        add('400', 'A query parameter is invalid: a filter of the wrong form, a date outside 1970–9999, a page or page size out of range (each problem listed)');
      } else if (pathed) {
        add('400', 'A path parameter holds a NUL or a lone surrogate, or the URL has a broken percent escape');
      }
      if (pathed) {
        add('404', 'Nothing has this id or number (an id outside BIGINT included)');
        add('414', 'A path segment is longer than 100 characters (URI_TOO_LONG)');
      }
      if (!operation.tags?.some((tag) => UNLIMITED_TAGS.has(tag))) add('429', 'Too many requests; see Retry-After');
      add('503', 'The database is unreachable for a moment (code DATABASE_UNAVAILABLE); retry after Retry-After');
      // Every error has the one shape: a route's own description of an error status gets its schema too.
      for (const [status, response] of Object.entries(operation.responses) as [string, { content?: unknown }][]) {
        if (Number(status) >= 400 && !response.content) response.content = error('').content;
      }
    }
  }
  return document;
}

export function buildOpenApiDocument(app: NestFastifyApplication) {
  const config = new DocumentBuilder()
    .setTitle('Recharge API')
    .setDescription(
      'Top up an account balance, new-user recharge bonus, invite rewards and the balance ledger. ' +
        'Money is a decimal string; times are ISO-8601 UTC; errors are {statusCode, error, code, message, requestId}.',
    )
    .setVersion('1.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API key (rk_…) for the service API under /api/v1' }, 'apiKey')
    .build();
  return documentEdgeResponses(SwaggerModule.createDocument(app, config));
}

/**
 * Builds the Nest app on Fastify with everything the HTTP edge needs; main.ts
 * and the tests both use it, so tests exercise the real pipeline.
 */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  const logger = createLogger(config, GATEWAYS.flatMap((gateway) => gateway.logRedactions ?? []));
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    // One line per request (RequestLogController); lines carry its id through the request context,
    // so a request needs no child logger of its own.
    logController: new RequestLogController(),
    childLoggerFactory: (parent: FastifyBaseLogger) => parent,
    trustProxy: config.app.trustProxy,
    genReqId: requestId as never,
    requestIdHeader: false,
    bodyLimit: MAX_BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PATH_SEGMENT },
    frameworkErrors: frameworkError as never,
    clientErrorHandler: clientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    rawBody: true,
  });
  // Nest's services log through the same pino logger (nestjs-pino's Logger maps Nest's calls onto pino's).
  app.useLogger(new Logger(logger as unknown as PinoLogger, {}));
  // process.exit after closing, so pino flushes its last lines.
  app.enableShutdownHooks(undefined, { useProcessExit: true });
  app.setGlobalPrefix('api', { exclude: ['metrics'] });

  const frontendDir = join(config.rootDir, 'frontend', 'dist');
  const serveFrontend = config.app.serveFrontend && existsSync(join(frontendDir, 'index.html'));
  app.useGlobalFilters(
    new AllExceptionsFilter(serveFrontend ? (reply: FastifyReply) => reply.sendFile('index.html', frontendDir) : undefined),
  );
  app.useGlobalPipes(new BodyValidationPipe(VALIDATION_OPTIONS));
  // Browsers call the browser routes only, and only from the configured origins; with none configured no CORS
  // hook runs at all. Server-to-server routes never answer a cross-origin browser.
  if (config.app.corsOrigins.length) {
    const browserCors = { origin: config.app.corsOrigins, credentials: false };
    const noCors = { origin: false };
    app.enableCors({ delegator: (request, decide) => decide(null, isServiceRoute(pathOf(request.url)) ? noCors : browserCors) });
  }

  const fastify = app.getHttpAdapter().getInstance();
  await registerRequestContext(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    // A request no route matched is answered as a browser page (the web app's index, or a 404).
    const route = request.routeOptions.url;
    // The request's span (when tracing is on) is named by its route, not by its URL.
    if (route) annotateRequestSpan(request.method, route);
    // Server-to-server routes get none of the headers meant for browsers (helmet's CSP, frame and sniffing rules).
    if (!isServiceRoute(route ?? pathOf(request.url))) reply.headers(BROWSER_HEADERS);
    done();
  });
  fastify.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (request, reply) => {
    metrics.httpDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status_code: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });

  SwaggerModule.setup('api/docs', app, () => buildOpenApiDocument(app), {
    jsonDocumentUrl: 'api/docs-json',
    customSiteTitle: 'Recharge API',
  });

  if (serveFrontend) {
    app.useStaticAssets({ root: frontendDir, prefix: '/', wildcard: false, index: ['index.html'] });
  }

  await app.init();
  await fastify.ready();
  return app;
}
