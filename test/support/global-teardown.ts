import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '@jest/types';
import type { RunningPostgres } from '../../src/common/database/embedded-postgres';
import { CONTRACT_LOG_DIR_ENV, operationsNeverAnswered } from './openapi-answers';
import type { RunningRedis } from './redis-server';

/** A run of every integration test, not of some files or some tests: only then must every operation have been called. */
function isWholeRun(config: Config.GlobalConfig): boolean {
  return !config.testPathPatterns.isSet() && !config.testNamePattern && !config.onlyChanged && !config.onlyFailures && !config.findRelatedTests && !config.lastCommit && !config.changedSince && config.shard === undefined;
}

/** The integration tests call every operation between them; the reliability suite (which shares this teardown) does not. */
function isIntegrationProject(project: Config.ProjectConfig | undefined): boolean {
  const name = typeof project?.displayName === 'string' ? project.displayName : project?.displayName?.name;
  return name === 'integration';
}

export default async function globalTeardown(config: Config.GlobalConfig, project?: Config.ProjectConfig): Promise<void> {
  const state = (globalThis as Record<string, unknown>).__RECHARGE_TEST__ as
    | { postgres: RunningPostgres; redis: RunningRedis | null; dataDir: string }
    | undefined;
  if (!state) return;
  await state.redis?.stop();
  await state.postgres.stop();
  rmSync(state.dataDir, { recursive: true, force: true });

  const contractDir = process.env[CONTRACT_LOG_DIR_ENV];
  if (!contractDir) return;
  const never = operationsNeverAnswered(contractDir, readdirSync(contractDir), (file) => readFileSync(join(contractDir, file), 'utf8'));
  rmSync(contractDir, { recursive: true, force: true });
  if (isIntegrationProject(project) && isWholeRun(config) && never.length > 0) {
    throw new Error(`documented operations no integration test called successfully, so their answers were never checked against the document:\n${never.join('\n')}`);
  }
}
