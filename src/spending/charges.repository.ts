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

const INSERT_CHARGES: PreparedStatement = {
  name: 'charges-insert-many',
  text: `
  INSERT INTO charges (user_id, api_key_id, amount_usd, description, metadata, hold_id)
  SELECT c.user_id, c.api_key_id, c.amount, c.description, c.metadata, c.hold_id
    FROM unnest($1::bigint[], $2::bigint[], $3::numeric[], $4::varchar[], $5::jsonb[], $6::bigint[])
         WITH ORDINALITY AS c(user_id, api_key_id, amount, description, metadata, hold_id, n)
   ORDER BY c.n
  RETURNING ${COLUMNS}`,
};

/** The owner of `charges` and `charge_refunds`. */
@Injectable()
export class ChargesRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts charges in one statement, in the given order. */
  async insertMany(em: EntityManager, charges: NewCharge[]): Promise<ChargeRow[]> {
    if (charges.length === 0) return [];
    return runPrepared<ChargeRow>(em, INSERT_CHARGES, [
      charges.map((c) => c.userId),
      charges.map((c) => c.apiKeyId),
      charges.map((c) => c.amountUsd),
      charges.map((c) => c.description),
      charges.map((c) => (c.metadata === null ? null : JSON.stringify(c.metadata))),
      charges.map((c) => c.holdId ?? null),
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
