import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../common/database/returning';

export type HoldStatus = 'active' | 'captured' | 'released' | 'expired';

export interface HoldRow {
  id: string;
  userId: string;
  apiKeyId: string | null;
  amountUsd: string;
  description: string;
  status: HoldStatus;
  capturedUsd: string | null;
  expiresAt: Date;
  createdAt: Date;
  settledAt: Date | null;
}

const COLUMNS = `id, user_id AS "userId", api_key_id AS "apiKeyId", amount_usd AS "amountUsd", description, status,
  captured_usd AS "capturedUsd", expires_at AS "expiresAt", created_at AS "createdAt", settled_at AS "settledAt"`;

/**
 * The owner of `holds`. A hold leaves `active` once, by one of three named
 * transitions (capture, release, expire), each a conditional update.
 */
@Injectable()
export class HoldsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, hold: { userId: string; apiKeyId: string | null; amountUsd: string; description: string; seconds: number }): Promise<HoldRow> {
    const [row] = await em.query(
      `INSERT INTO holds (user_id, api_key_id, amount_usd, description, expires_at)
       VALUES ($1, $2, $3, $4, NOW() + make_interval(secs => $5)) RETURNING ${COLUMNS}`,
      [hold.userId, hold.apiKeyId, hold.amountUsd, hold.description, hold.seconds],
    );
    return row;
  }

  async find(id: string, em: EntityManager = this.dataSource.manager): Promise<HoldRow | null> {
    const [row] = await em.query(`SELECT ${COLUMNS} FROM holds WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** active → released for every active hold of one user (closing the account); the holds released. */
  async releaseAllOf(em: EntityManager, userId: string): Promise<HoldRow[]> {
    return returning<HoldRow>(
      em,
      `UPDATE holds SET status = 'released', settled_at = NOW() WHERE user_id = $1 AND status = 'active' RETURNING ${COLUMNS}`,
      [userId],
    );
  }

  /** active → captured, for at most the amount held, before it expires; null otherwise. */
  async capture(em: EntityManager, id: string, amountUsd: string): Promise<HoldRow | null> {
    const [row] = await returning<HoldRow>(
      em,
      `UPDATE holds SET status = 'captured', captured_usd = $2, settled_at = NOW()
        WHERE id = $1 AND status = 'active' AND expires_at > NOW() AND $2 <= amount_usd RETURNING ${COLUMNS}`,
      [id, amountUsd],
    );
    return row ?? null;
  }

  /** active → released; null when not active. */
  async release(em: EntityManager, id: string): Promise<HoldRow | null> {
    const [row] = await returning<HoldRow>(
      em,
      `UPDATE holds SET status = 'released', settled_at = NOW() WHERE id = $1 AND status = 'active' RETURNING ${COLUMNS}`,
      [id],
    );
    return row ?? null;
  }

  /** active → expired for a batch of holds past their time, skipping rows another transaction holds. */
  async expireBatch(em: EntityManager, limit: number): Promise<HoldRow[]> {
    return returning<HoldRow>(
      em,
      `UPDATE holds SET status = 'expired', settled_at = NOW()
        WHERE id IN (SELECT id FROM holds WHERE status = 'active' AND expires_at <= NOW() ORDER BY expires_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       RETURNING ${COLUMNS}`,
      [limit],
    );
  }
}
