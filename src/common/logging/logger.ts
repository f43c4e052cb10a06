import { requestContext } from '@fastify/request-context';
import pino from 'pino';
import { AppConfig } from '../config/app-config';

/**
 * Paths pino blanks out wherever they appear in a log line. Tokens, passwords,
 * gateway keys and signatures never reach the logs; gateways add their own
 * (a signature header) through their plug-in's logRedactions.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.accessToken',
  '*.token',
  '*.key',
  '*.sign',
  '*.apiKey',
  '*.webhookSecret',
  '*.jwtSecret',
];

declare module '@fastify/request-context' {
  interface RequestContextData {
    /** The request's id (X-Request-Id), on every line logged while the request runs. */
    requestId: string;
  }
}

/**
 * The app's one logger: Fastify writes its request lines with it and Nest's
 * services log through it. A line written while a request runs carries that
 * request's id (reqId), read from the request context.
 */
export function createLogger(config: AppConfig, extraRedactions: readonly string[] = []): pino.Logger {
  return pino({
    level: config.log.level,
    redact: { paths: [...REDACTED_PATHS, ...extraRedactions], censor: '[redacted]' },
    mixin: () => {
      const reqId = requestContext.get('requestId');
      return reqId === undefined ? {} : { reqId };
    },
    transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
  });
}
