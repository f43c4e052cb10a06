// Loaded before anything else by main.ts: OpenTelemetry patches pg, http,
// ioredis, amqplib and pino as they are first required, so it starts first.
// With tracing off, its SDK is not even loaded.
import { tracingConfigured } from './common/telemetry/telemetry';

if (tracingConfigured()) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('./common/telemetry/tracing-sdk') as typeof import('./common/telemetry/tracing-sdk')).startTracing();
}
