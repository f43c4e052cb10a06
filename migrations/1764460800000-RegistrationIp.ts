import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Referral farming: an invite whose invitee registered from the referrer's
 * own address is recorded but not rewarded (unless referral.reward_same_ip).
 * users.registration_ip keeps the address each account registered from
 * (NULL for accounts older than this migration, which never match);
 * referral_invites.same_ip records the finding at registration.
 */
export class RegistrationIp1764460800000 implements MigrationInterface {
  name = 'RegistrationIp1764460800000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN registration_ip VARCHAR(50)`);
    await q.query(`ALTER TABLE referral_invites ADD COLUMN same_ip BOOLEAN NOT NULL DEFAULT FALSE`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE referral_invites DROP COLUMN same_ip`);
    await q.query(`ALTER TABLE users DROP COLUMN registration_ip`);
  }
}
