import { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { DataSource } from 'typeorm';
import { createApp } from '../../src/app.factory';
import { AppConfig } from '../../src/common/config/app-config';
import { loadAppConfig } from '../../src/config';

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
 * the way an operator would.
 */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const config = loadAppConfig({ ...process.env, NODE_ENV: 'test', REDIS_URL: '', ...env });
  const app = await createApp(config);
  return {
    app,
    config,
    http: request(app.getHttpServer()),
    db: app.get(DataSource),
    close: () => app.close(),
  };
}
