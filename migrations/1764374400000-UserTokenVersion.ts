import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users.token_version: every access token carries the version it was issued
 * at, and the auth guard refuses a token whose version is behind. A role
 * change, a password change or a status change bumps it, so the tokens
 * issued before stop working at once instead of at their expiry.
 */
export class UserTokenVersion1764374400000 implements MigrationInterface {
  name = 'UserTokenVersion1764374400000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN token_version INT NOT NULL DEFAULT 0`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN token_version`);
  }
}
