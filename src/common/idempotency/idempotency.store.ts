import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../database/prepared';
import { returning } from '../database/returning';

/** How long a key and its answer are kept. */
export const KEY_TTL_HOURS = 24;

export type Claim =
  | { kind: 'claimed' }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' }
  | { kind: 'done'; status: number; body: unknown };

/** Several keys claimed at once; a key left from more than KEY_TTL_HOURS ago is taken over, as in `claim`. */
const CLAIM_MANY: PreparedStatement = {
  name: 'idempotency-claim-many',
  text: `
  INSERT INTO idempotency_keys (scope, key, request_hash, status)
  SELECT * FROM unnest($1::varchar[], $2::varchar[], $3::char(64)[], array_fill('in_progress'::varchar, ARRAY[cardinality($1::varchar[])]))
  ON CONFLICT (scope, key) DO UPDATE
     SET request_hash = EXCLUDED.request_hash, status = 'in_progress', response_status = NULL, response_body = NULL, created_at = NOW()
   WHERE idempotency_keys.created_at < NOW() - make_interval(hours => $4)
  RETURNING scope, key`,
};

const COMPLETE_MANY: PreparedStatement = {
  name: 'idempotency-complete-many',
  text: `
  UPDATE idempotency_keys k SET status = 'done', response_status = a.status, response_body = a.body
    FROM unnest($1::varchar[], $2::varchar[], $3::int[], $4::jsonb[]) AS a(scope, key, status, body)
   WHERE k.scope = a.scope AND k.key = a.key`,
};

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

  /**
   * Claims several keys inside the caller's transaction, which also records
   * their answers (`completeMany`) before it commits: no other transaction
   * ever sees them in progress, and a crash leaves none behind. A key another
   * transaction holds makes this wait for it and then leaves the key out.
   * Returns the keys claimed, as `scope key`.
   */
  async claimMany(em: EntityManager, items: { scope: string; key: string; hash: string }[]): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const rows = await runPrepared<{ scope: string; key: string }>(em, CLAIM_MANY, [
      items.map((i) => i.scope),
      items.map((i) => i.key),
      items.map((i) => i.hash),
      KEY_TTL_HOURS,
    ]);
    return new Set(rows.map((r) => `${r.scope} ${r.key}`));
  }

  /** Records the answers of keys claimed by `claimMany`, in the same transaction. */
  async completeMany(em: EntityManager, items: { scope: string; key: string; status: number; body: unknown }[]): Promise<void> {
    if (items.length === 0) return;
    await runPrepared(em, COMPLETE_MANY, [
      items.map((i) => i.scope),
      items.map((i) => i.key),
      items.map((i) => i.status),
      items.map((i) => JSON.stringify(i.body ?? null)),
    ]);
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
