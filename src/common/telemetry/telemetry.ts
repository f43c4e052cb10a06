import { SpanStatusCode, isSpanContextValid, trace, type Attributes } from '@opentelemetry/api';

/*
 * What the app's code uses of tracing: the OpenTelemetry API alone, whose
 * calls are no-ops while no SDK is started (tracing off).
 */

/**
 * Tracing is on when an OTLP endpoint is configured by the standard
 * variables (OTEL_EXPORTER_OTLP_ENDPOINT or …_TRACES_ENDPOINT) and not
 * switched off (OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER=none).
 */
export function tracingConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true' || env.OTEL_TRACES_EXPORTER === 'none') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

let stop: (() => Promise<void>) | null = null;

/** How the started SDK is flushed and stopped (set by tracing-sdk.ts). */
export function onTelemetryStop(stopper: () => Promise<void>): void {
  stop = stopper;
}

/** Flushes the spans still buffered; called when the app stops. */
export async function stopTelemetry(): Promise<void> {
  const stopping = stop;
  stop = null;
  await stopping?.();
}

const tracer = trace.getTracer('recharge');

/** The trace id of the span running now, when tracing is on. */
export function currentTraceId(): string | undefined {
  const context = trace.getActiveSpan()?.spanContext();
  return context && isSpanContextValid(context) ? context.traceId : undefined;
}

/** Puts what matters about this request on its span (order number, provider, transition, user). No-op when tracing is off. */
export function annotateSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

/** Names the request's server span by its route ("POST /api/payment/orders"), as the HTTP conventions ask. */
export function annotateRequestSpan(method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
}

/** Runs `work` in a span of its own (a job tick, an outbox delivery), recording a failure on it. */
export function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}
