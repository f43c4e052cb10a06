import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';

export interface ChargeRow {
  id: string;
  userId: string;
  apiKeyId: string | null;
  amountUsd: string;
  refundedUsd: string;
  description: string;
  metadata: Record<string, unknown> | null;
  holdId: string | null;
  createdAt: Date;
}

export interface NewCharge {
  userId: string;
  apiKeyId: string | null;
  amountUsd: string;
  description: string;
  metadata: Record<string, unknown> | null;
  holdId?: string | null;
}

const COLUMNS = `id, user_id AS "userId", api_key_id AS "apiKeyId", amount_usd AS "amountUsd", refunded_usd AS "refundedUsd",
  description, metadata, hold_id AS "holdId", created_at AS "createdAt"`;

const APPLY_BATCH: PreparedStatement = {
  name: 'charges-apply-batch',
  text: `SELECT o_outcome AS outcome, o_charge_id::text AS "chargeId", o_created_at AS "createdAt", o_balance_after AS "balanceAfter", o_available AS available
           FROM apply_charge_batch($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
};

/** One charge of a batch, as `apply_charge_batch` takes it. */
export interface BatchCharge {
  scope: string;
  key: string;
  hash: string;
  userId: string;
  apiKeyId: string;
  amountUsd: string;
  description: string;
  metadata: Record<string, unknown> | null;
  requestId: string;
}

/** What became of one charge of a batch, in the order given. */
export type BatchOutcome =
  | { outcome: 'charged'; chargeId: string; createdAt: Date; balanceAfter: string }
  | { outcome: 'insufficient'; available: string }
  | { outcome: 'user_not_found' }
  /** Its key was already used, or held by another transaction: answer it from storage. */
  | { outcome: 'elsewhere' };

/**
 * The owner of `charges` and `charge_refunds`. A batch of charges is one
 * call of the database function `apply_charge_batch` (see its migration):
 * it also claims and answers the charges' Idempotency-Keys and writes their
 * `deduct` ledger rows and balance moves, because one round trip per batch
 * is what makes a hot account fast; the ledger audit checks what it writes.
 */
@Injectable()
export class ChargesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** One charge made outside a batch (a hold's capture), in the caller's transaction. */
  async insert(em: EntityManager, charge: NewCharge): Promise<ChargeRow> {
    const [row] = await em.query(
      `INSERT INTO charges (user_id, api_key_id, amount_usd, description, metadata, hold_id) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${COLUMNS}`,
      [charge.userId, charge.apiKeyId, charge.amountUsd, charge.description, charge.metadata === null ? null : JSON.stringify(charge.metadata), charge.holdId ?? null],
    );
    return row;
  }

  /** Applies a batch in one statement of its own (its own transaction); outcomes in the order given. */
  async applyBatch(charges: BatchCharge[], keyTtlHours: number): Promise<BatchOutcome[]> {
    return runPrepared<BatchOutcome>(this.dataSource.manager, APPLY_BATCH, [
      charges.map((c) => c.scope),
      charges.map((c) => c.key),
      charges.map((c) => c.hash),
      charges.map((c) => c.userId),
      charges.map((c) => c.apiKeyId),
      charges.map((c) => c.amountUsd),
      charges.map((c) => c.description),
      charges.map((c) => (c.metadata === null ? null : JSON.stringify(c.metadata))),
      charges.map((c) => c.requestId),
      keyTtlHours,
    ]);
  }

  async find(id: string, em: EntityManager = this.dataSource.manager): Promise<ChargeRow | null> {
    const [row] = await em.query(`SELECT ${COLUMNS} FROM charges WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** Adds a refund unless the charge's refunds would then exceed it; null when they would (or no such charge). */
  async addRefund(em: EntityManager, id: string, amountUsd: string): Promise<{ charge: ChargeRow; refundId: string } | null> {
    const [charge] = await returning<ChargeRow>(
      em,
      `UPDATE charges SET refunded_usd = refunded_usd + $2 WHERE id = $1 AND refunded_usd + $2 <= amount_usd RETURNING ${COLUMNS}`,
      [id, amountUsd],
    );
    if (!charge) return null;
    const [refund] = await em.query(`INSERT INTO charge_refunds (charge_id, amount_usd) VALUES ($1, $2) RETURNING id`, [id, amountUsd]);
    return { charge, refundId: refund.id };
  }
}
