import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../common/database/returning';

export type RedeemBatchStatus = 'active' | 'disabled' | 'expired';

export interface RedeemBatchRow {
  id: string;
  amountUsd: string;
  codeCount: number;
  maxRedemptions: number;
  expiresAt: Date | null;
  note: string;
  createdAt: Date;
  disabledAt: Date | null;
}

/** A batch with what its codes were used for. */
export interface RedeemBatchUsage extends RedeemBatchRow {
  status: RedeemBatchStatus;
  /** Redemptions so far, over all codes. */
  redemptions: number;
  /** Codes redeemed at least once. */
  codesUsed: number;
  redeemedUsd: string;
}

/** One use of a code by a user. */
export interface RedemptionRow {
  id: string;
  codeId: string;
  batchId: string;
  amountUsd: string;
  last4: string;
}

const BATCH_COLUMNS = `b.id, b.amount_usd AS "amountUsd", b.code_count AS "codeCount", b.max_redemptions AS "maxRedemptions",
  b.expires_at AS "expiresAt", b.note, b.created_at AS "createdAt", b.disabled_at AS "disabledAt"`;

const USAGE_COLUMNS = `${BATCH_COLUMNS},
  CASE WHEN b.disabled_at IS NOT NULL THEN 'disabled' WHEN b.expires_at <= NOW() THEN 'expired' ELSE 'active' END AS status,
  COALESCE(u.redemptions, 0)::int AS redemptions, COALESCE(u.codes_used, 0)::int AS "codesUsed",
  COALESCE(u.redeemed_usd, 0)::numeric(20,8)::text AS "redeemedUsd"`;

const USAGE_JOIN = `LEFT JOIN LATERAL (
    SELECT COUNT(*) AS redemptions, COUNT(DISTINCT m.code_id) AS codes_used, SUM(m.amount_usd) AS redeemed_usd
      FROM redemptions m WHERE m.batch_id = b.id
  ) u ON TRUE`;

/** The owner of `redeem_batches`, `redeem_codes` and `redemptions`. Codes are stored as hashes only. */
@Injectable()
export class RedeemRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertBatch(
    em: EntityManager,
    batch: { amountUsd: string; codeCount: number; maxRedemptions: number; expiresAt: Date | null; note: string; createdBy: string },
  ): Promise<RedeemBatchRow> {
    const [row] = await em.query(
      `INSERT INTO redeem_batches AS b (amount_usd, code_count, max_redemptions, expires_at, note, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${BATCH_COLUMNS}`,
      [batch.amountUsd, batch.codeCount, batch.maxRedemptions, batch.expiresAt, batch.note, batch.createdBy],
    );
    return row;
  }

  /** Inserts the codes whose hash is new; answers the hashes inserted (a collision, about 2^-79 per pair, is left out). */
  async insertCodes(em: EntityManager, batchId: string, codes: { hash: string; last4: string }[]): Promise<Set<string>> {
    const rows: { code_hash: string }[] = await em.query(
      `INSERT INTO redeem_codes (batch_id, code_hash, last4)
       SELECT $1, h, l FROM unnest($2::char(64)[], $3::char(4)[]) AS c(h, l)
       ON CONFLICT (code_hash) DO NOTHING RETURNING code_hash`,
      [batchId, codes.map((c) => c.hash), codes.map((c) => c.last4)],
    );
    return new Set(rows.map((r) => r.code_hash));
  }

  /**
   * One use of the code by the user: the code's counter moves under its row
   * lock only while the batch is enabled, unexpired and below
   * max_redemptions, and the redemption row is unique per (code, user).
   * Null when either refuses; the caller's transaction must then roll back
   * (the counter may have moved for a user who had used the code before).
   */
  async redeem(em: EntityManager, codeHash: string, userId: string): Promise<RedemptionRow | null> {
    const [row] = await em.query(
      `WITH used AS (
         UPDATE redeem_codes c SET redemptions = c.redemptions + 1
           FROM redeem_batches b
          WHERE c.code_hash = $1 AND b.id = c.batch_id AND b.disabled_at IS NULL
            AND (b.expires_at IS NULL OR b.expires_at > NOW()) AND c.redemptions < b.max_redemptions
         RETURNING c.id, c.batch_id, c.last4, b.amount_usd
       )
       INSERT INTO redemptions (code_id, batch_id, user_id, amount_usd)
       SELECT id, batch_id, $2, amount_usd FROM used
       ON CONFLICT (code_id, user_id) DO NOTHING
       RETURNING id, code_id AS "codeId", batch_id AS "batchId", amount_usd AS "amountUsd", (SELECT last4 FROM used) AS last4`,
      [codeHash, userId],
    );
    return row ?? null;
  }

  async hasRedeemed(em: EntityManager, codeHash: string, userId: string): Promise<boolean> {
    const rows = await em.query(
      `SELECT 1 FROM redemptions m JOIN redeem_codes c ON c.id = m.code_id WHERE c.code_hash = $1 AND m.user_id = $2`,
      [codeHash, userId],
    );
    return rows.length > 0;
  }

  async listBatches(page: { page: number; pageSize: number }): Promise<{ items: RedeemBatchUsage[]; total: number }> {
    const [items, [{ total }]] = await Promise.all([
      this.dataSource.query(`SELECT ${USAGE_COLUMNS} FROM redeem_batches b ${USAGE_JOIN} ORDER BY b.created_at DESC, b.id DESC LIMIT $1 OFFSET $2`, [
        page.pageSize,
        (page.page - 1) * page.pageSize,
      ]),
      this.dataSource.query(`SELECT COUNT(*)::int AS total FROM redeem_batches`),
    ]);
    return { items, total };
  }

  async findBatch(id: string, em: EntityManager = this.dataSource.manager): Promise<RedeemBatchUsage | null> {
    const [row] = await em.query(`SELECT ${USAGE_COLUMNS} FROM redeem_batches b ${USAGE_JOIN} WHERE b.id = $1`, [id]);
    return row ?? null;
  }

  /** Disables once (a second call keeps the first time); false when there is no such batch. */
  async disableBatch(em: EntityManager, id: string): Promise<boolean> {
    const rows = await returning(em, `UPDATE redeem_batches SET disabled_at = coalesce(disabled_at, NOW()) WHERE id = $1 RETURNING id`, [id]);
    return rows.length === 1;
  }
}
