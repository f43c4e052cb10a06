import type { RequestListener } from 'node:http';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { buildOpenApiDocument, createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/common/config/app-config';
import { loadAppConfig } from '../../src/config';
import { ContractRecorder, OpenApiDocument } from './openapi-answers';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  http: TestAgent;
  db: DataSource;
  close(): Promise<void>;
}

/**
 * The real app (real PostgreSQL from the global setup, real migrations)
 * configured as in production except for `env`, which overrides variables
 * the way an operator would. Every answer `http` gets is checked against the
 * app's served OpenAPI document; `close()` fails the file when one broke it.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadAppConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL: '', ...env });
  const app = await createApp(config);
  const server = app.getHttpServer();
  const contract = new ContractRecorder(() => buildOpenApiDocument(app) as unknown as OpenApiDocument);
  // The check sits in the real server's own request listener, so its limits and client-error answers stay as they are.
  const [handle] = server.listeners('request') as RequestListener[];
  server.removeListener('request', handle);
  server.on('request', contract.wrap(handle));
  return {
    app,
    config,
    http: request(server),
    db: app.get(DataSource),
    close: async () => {
      await app.close();
      const problems = [...new Set(contract.problems)];
      if (problems.length) throw new Error(`answers that break the served OpenAPI document:\n${problems.join('\n')}`);
    },
  };
}
