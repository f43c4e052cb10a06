import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One row per scheduled job: when it last started and how it ended. Every
 * instance runs the same schedule; the instance whose claim moves
 * last_started_at forward does that tick's work, so a job runs once per tick
 * however many instances there are. Operators read it to see that jobs run.
 */
export class ScheduledJobs1764633600000 implements MigrationInterface {
  name = 'ScheduledJobs1764633600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE scheduled_jobs (
        name             VARCHAR(50) PRIMARY KEY,
        last_started_at  TIMESTAMPTZ NOT NULL,
        last_finished_at TIMESTAMPTZ,
        last_outcome     VARCHAR(20) CHECK (last_outcome IN ('done', 'skipped', 'failed')),
        last_changed     INT,
        runs             BIGINT NOT NULL DEFAULT 1
      )`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS scheduled_jobs`);
  }
}
