import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Span } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { AmqplibInstrumentation } from '@opentelemetry/instrumentation-amqplib';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { IORedisInstrumentation } from '@opentelemetry/instrumentation-ioredis';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { isProbeOrScrape, pathOf } from '../http/route-kinds';
import { onTelemetryStop } from './telemetry';

/*
 * The OpenTelemetry SDK and its instrumentations. Loaded only when tracing is
 * configured (see src/instrument.ts): with tracing off none of this is in the
 * process, and the API's no-op tracer answers the app's calls.
 */

const REDACTED = '[redacted]';

let sdk: NodeSDK | null = null;

/**
 * Starts OpenTelemetry before the modules it instruments are loaded (main.ts
 * imports ./instrument first). Spans: every request (named by its route in
 * app.factory), SQL statement (text only, never values), Redis command (name
 * only), outgoing HTTP call (gateways, webhooks), broker publish; the app adds
 * job ticks and outbox deliveries. Log lines get trace_id and span_id.
 * Spans go out over OTLP/HTTP, configured by the OTEL_* variables.
 */
export function startTracing(): void {
  if (sdk) return;
  process.env.OTEL_SERVICE_NAME ??= 'recharge';
  sdk = new NodeSDK({
    traceExporter: new OTLPTraceExporter(),
    instrumentations: [
      new HttpInstrumentation({
        // Probes and scrapes would drown the traces of payments.
        ignoreIncomingRequestHook: (request) => isProbeOrScrape(pathOf(request.url)),
        // Query strings can carry gateway signatures and keys: spans keep the path only, under both the
        // current attribute names and the older ones (OTEL_SEMCONV_STABILITY_OPT_IN).
        requestHook: (span: Span, request: IncomingMessage | ClientRequest) => {
          if ('path' in request && typeof request.path === 'string') {
            const url = `${request.protocol}//${request.host}${pathOf(request.path)}`;
            span.setAttributes({ 'url.full': url, 'http.url': url, 'http.target': pathOf(request.path) });
          } else {
            const path = pathOf((request as IncomingMessage).url);
            span.setAttributes({ 'url.query': REDACTED, 'http.target': path, 'http.url': path });
          }
        },
      }),
      new UndiciInstrumentation({
        requestHook: (span, request) => {
          const path = pathOf(request.path);
          span.setAttributes({ 'url.full': `${request.origin}${path}`, 'url.path': path });
          if (request.path.includes('?')) span.setAttribute('url.query', REDACTED);
        },
      }),
      // Statements as written ($1, $2 …), never their values; only inside a request, job or delivery
      // (the outbox's idle polling would otherwise be a trace every few hundred milliseconds).
      new PgInstrumentation({ enhancedDatabaseReporting: false, requireParentSpan: true, ignoreConnectSpans: true }),
      // Command names only: keys and values can be tokens.
      new IORedisInstrumentation({ dbStatementSerializer: (command) => command }),
      new AmqplibInstrumentation(),
      new PinoInstrumentation(),
    ],
  });
  sdk.start();
  const running = sdk;
  onTelemetryStop(async () => {
    sdk = null;
    await running.shutdown();
  });
}

