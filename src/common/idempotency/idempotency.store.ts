import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { returning } from '../database/returning';

/** How long a key and its answer are kept. */
export const KEY_TTL_HOURS = 24;

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' }
  | { kind: 'done'; status: number; body: unknown };

/** The owner of `idempotency_keys`. */
@Injectable()
export class IdempotencyStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Claims (scope, key) for a request with this hash, or says what the key
   * already holds. A key older than KEY_TTL_HOURS is claimed afresh.
   */
  async claim(scope: string, key: string, requestHash: string): Promise<Claim> {
    // One statement on the usual path: a new key is inserted, an expired one is taken over.
    const inserted = await returning(
      this.dataSource.manager,
      `INSERT INTO idempotency_keys (scope, key, request_hash, status) VALUES ($1, $2, $3, 'in_progress')
       ON CONFLICT (scope, key) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, status = 'in_progress', response_status = NULL, response_body = NULL,
              created_at = NOW()
        WHERE idempotency_keys.created_at < NOW() - make_interval(hours => $4)
       RETURNING key`,
      [scope, key, requestHash, KEY_TTL_HOURS],
    );
    if (inserted.length === 1) return { kind: 'claimed' };
    // Gone between the two statements (a failed first attempt released it, or it just expired): claim again.
    return (await this.lookup(scope, key, requestHash)) ?? this.claim(scope, key, requestHash);
  }

  /** What a key holds now, without claiming it: null when unused (or expired). */
  async lookup(scope: string, key: string, requestHash: string): Promise<Exclude<Claim, { kind: 'claimed' }> | null> {
    const [row] = await this.dataSource.query(
      `SELECT request_hash, status, response_status, response_body FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND created_at >= NOW() - make_interval(hours => $3)`,
      [scope, key, KEY_TTL_HOURS],
    );
    if (!row) return null;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === 'in_progress') return { kind: 'in_progress' };
    return { kind: 'done', status: row.response_status, body: row.response_body };
  }

  async complete(scope: string, key: string, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET status = 'done', response_status = $3, response_body = $4::jsonb WHERE scope = $1 AND key = $2`,
      [scope, key, status, JSON.stringify(body ?? null)],
    );
  }

  /** The first attempt failed: the key is free for a retry, which runs in full. */
  async release(scope: string, key: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 'in_progress'`, [scope, key]);
  }
}
