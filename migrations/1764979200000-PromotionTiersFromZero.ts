import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Promotion tiers are numbered from 0 (0 = the first 24 hours … 3 = up to
 * 72 hours), as in the service this module was ported from, so its data and
 * reports line up with ours. Rows written while tiers were numbered from 1
 * move down by one: the bonus already granted (`user_promotions.used_tier`,
 * `promotion_records.tier`) and the tier previewed on orders
 * (`payment_orders.promotion_tier`), pending ones included, which settle
 * under the new numbering. Ledger remarks keep the words they were written
 * with: the ledger is append-only. Run it with every instance stopped, so no
 * old instance writes a 1-based number after it.
 */
export class PromotionTiersFromZero1764979200000 implements MigrationInterface {
  name = 'PromotionTiersFromZero1764979200000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(`UPDATE user_promotions SET used_tier = used_tier - 1 WHERE used_tier IS NOT NULL`);
    await q.query(`UPDATE promotion_records SET tier = tier - 1`);
    await q.query(`UPDATE payment_orders SET promotion_tier = promotion_tier - 1 WHERE promotion_tier IS NOT NULL`);
    await q.query(`ALTER TABLE user_promotions ADD CONSTRAINT user_promotions_used_tier_from_zero CHECK (used_tier >= 0)`);
    await q.query(`ALTER TABLE promotion_records ADD CONSTRAINT promotion_records_tier_from_zero CHECK (tier >= 0)`);
    await q.query(`ALTER TABLE payment_orders ADD CONSTRAINT payment_orders_promotion_tier_from_zero CHECK (promotion_tier >= 0)`);
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE payment_orders DROP CONSTRAINT payment_orders_promotion_tier_from_zero`);
    await q.query(`ALTER TABLE promotion_records DROP CONSTRAINT promotion_records_tier_from_zero`);
    await q.query(`ALTER TABLE user_promotions DROP CONSTRAINT user_promotions_used_tier_from_zero`);
    await q.query(`UPDATE payment_orders SET promotion_tier = promotion_tier + 1 WHERE promotion_tier IS NOT NULL`);
    await q.query(`UPDATE promotion_records SET tier = tier + 1`);
    await q.query(`UPDATE user_promotions SET used_tier = used_tier + 1 WHERE used_tier IS NOT NULL`);
  }
}
