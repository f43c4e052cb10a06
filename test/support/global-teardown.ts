import { rmSync } from 'node:fs';
import type { RunningPostgres } from '../../src/common/database/embedded-postgres';
import type { RunningRedis } from './redis-server';

export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__RECHARGE_TEST__ as
    | { postgres: RunningPostgres; redis: RunningRedis | null; dataDir: string }
    | undefined;
  if (!state) return;
  await state.redis?.stop();
  await state.postgres.stop();
  rmSync(state.dataDir, { recursive: true, force: true });
}
