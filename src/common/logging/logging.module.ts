import { DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';

/**
 * Paths pino blanks out wherever they appear in a log line. Tokens, passwords,
 * gateway keys and signatures never reach the logs; gateways add their own
 * (a signature header) through LoggingModule.forRoot.
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

@Module({})
export class LoggingModule {
  static forRoot(extraRedactions: readonly string[] = []): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRootAsync({
          inject: [AppConfig],
          useFactory: (config: AppConfig) => ({
            // Every route, in path-to-regexp v8 syntax (the default '*' draws a deprecation warning).
            forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
            pinoHttp: {
              level: config.log.level,
              redact: { paths: [...REDACTED_PATHS, ...extraRedactions], censor: '[redacted]' },
              // Fastify assigns the request id (see app.factory); log lines carry the same one.
              genReqId: (req) => (req as { id?: string }).id ?? '-',
              // Query strings may carry gateway signatures: log the path only.
              serializers: {
                req: (req: { id: string; method: string; url: string }) => ({
                  id: req.id,
                  method: req.method,
                  path: req.url?.split('?')[0],
                }),
                res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
              },
              // Scrapes and health probes arrive every few seconds and say nothing about traffic. The middleware runs
              // mounted under the global prefix, where req.url has lost it: the full path is originalUrl.
              autoLogging: {
                ignore: (req) => {
                  const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
                  return path === '/metrics' || /^\/api\/health(\/|$)/.test(path);
                },
              },
              transport: config.log.pretty ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
            },
          }),
        }),
      ],
    };
  }
}
