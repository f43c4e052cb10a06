import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { DomainException, ErrorKind } from '../errors/domain.exception';
import { returning } from '../database/returning';

/** How long a key and its answer are kept. */
export const KEY_TTL_HOURS = 24;

export type Claim =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'in_progress'; retryAfterSeconds: number }
  | { kind: 'mismatch' }
  | { kind: 'done'; status: number; body: unknown };

/** The errors of a key that cannot run: used with another body (422), or still running within its lease (409). */
export const idempotencyErrors = {
  reused: () => new DomainException('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used with another request', ErrorKind.Unprocessable),
  inUse: (retryAfterSeconds?: number) =>
    new DomainException('IDEMPOTENCY_KEY_IN_USE', 'a request with this Idempotency-Key is still running', ErrorKind.Conflict, retryAfterSeconds),
};

/**
 * A key this request holds: the route's effect records its answer with it,
 * in the effect's own transaction (`answer`), so a key is never left claimed
 * by a request whose effect committed. `token` fences the claim: once a retry
 * has taken the key over (this request outlived its lease), `answer` throws
 * and the effect's transaction rolls back.
 */
export class IdempotencyClaim {
  constructor(
    private readonly store: IdempotencyStore,
    readonly scope: string,
    readonly key: string,
    readonly token: string,
    /** The route's status for a success, used unless the answer names another. */
    readonly status: number,
  ) {}

  /** Records the answer in `em`'s transaction; throws when the key is no longer this request's. */
  answer(em: EntityManager, body: unknown, status: number = this.status): Promise<void> {
    return this.store.answer(em, this, status, body);
  }
}

/**
 * `body` as the request's answer: recorded with the key in `em`'s transaction
 * when the request holds one, then returned. The last step of a keyed route's
 * transaction.
 */
export async function answered<T>(em: EntityManager, claim: IdempotencyClaim | null, body: T, status?: number): Promise<T> {
  await claim?.answer(em, body, status);
  return body;
}

/** The owner of `idempotency_keys`. */
@Injectable()
export class IdempotencyStore {
  private readonly leaseSeconds: number;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
  ) {
    this.leaseSeconds = config.idempotency.leaseSeconds;
  }

  /**
   * Claims (scope, key) for a request with this hash and a route answering
   * `status`, or says what the key already holds. A key older than
   * KEY_TTL_HOURS is claimed afresh; one still in_progress past its lease
   * (with the same request) is taken over under a new token.
   */
  async claim(scope: string, key: string, requestHash: string, status: number): Promise<Claim> {
    const token = randomUUID();
    // One statement on the usual path: a new key is inserted, an expired or abandoned one is taken over.
    const inserted = await returning(
      this.dataSource.manager,
      `INSERT INTO idempotency_keys AS k (scope, key, request_hash, status, locked_at, claim_token) VALUES ($1, $2, $3, 'in_progress', NOW(), $6)
       ON CONFLICT (scope, key) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, status = 'in_progress', response_status = NULL, response_body = NULL,
              created_at = NOW(), locked_at = NOW(), claim_token = EXCLUDED.claim_token
        WHERE k.created_at < NOW() - make_interval(hours => $4)
           OR (k.status = 'in_progress' AND k.request_hash = EXCLUDED.request_hash AND k.locked_at <= NOW() - make_interval(secs => $5))
       RETURNING key`,
      [scope, key, requestHash, KEY_TTL_HOURS, this.leaseSeconds, token],
    );
    if (inserted.length === 1) return { kind: 'claimed', claim: new IdempotencyClaim(this, scope, key, token, status) };
    // Gone or free between the two statements (a failed first attempt released it, it just expired, or its lease just ran out): claim again.
    return (await this.lookup(scope, key, requestHash)) ?? this.claim(scope, key, requestHash, status);
  }

  /** What a key holds now, without claiming it: null when unused, expired, or in_progress past its lease (free to claim). */
  async lookup(scope: string, key: string, requestHash: string): Promise<Exclude<Claim, { kind: 'claimed' }> | null> {
    const [row] = await this.dataSource.query(
      `SELECT request_hash, status, response_status, response_body,
              CEIL(EXTRACT(EPOCH FROM locked_at + make_interval(secs => $4) - NOW()))::int AS lease_left
         FROM idempotency_keys
        WHERE scope = $1 AND key = $2 AND created_at >= NOW() - make_interval(hours => $3)`,
      [scope, key, KEY_TTL_HOURS, this.leaseSeconds],
    );
    if (!row) return null;
    if (row.request_hash !== requestHash) return { kind: 'mismatch' };
    if (row.status === 'in_progress') return row.lease_left > 0 ? { kind: 'in_progress', retryAfterSeconds: row.lease_left } : null;
    return { kind: 'done', status: row.response_status, body: row.response_body };
  }

  /**
   * The answer, recorded in the effect's transaction: the key is done when the
   * effect commits. Throws (rolling the effect back) when a retry took the key
   * over; the row lock this takes makes such a retry wait for the commit, and
   * then find the answer.
   */
  async answer(em: EntityManager, claim: IdempotencyClaim, status: number, body: unknown): Promise<void> {
    const updated = await returning(
      em,
      `UPDATE idempotency_keys SET status = 'done', response_status = $4, response_body = $5::jsonb
        WHERE scope = $1 AND key = $2 AND claim_token = $3
       RETURNING key`,
      [claim.scope, claim.key, claim.token, status, JSON.stringify(body ?? null)],
    );
    if (updated.length === 0) throw idempotencyErrors.inUse(this.leaseSeconds);
  }

  /**
   * The final answer, once the handler returned: it replaces the one the
   * effect recorded (the same, or one a gateway call after the commit
   * completed). Nothing when the key is no longer this claim's.
   */
  async complete(claim: IdempotencyClaim, status: number, body: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET status = 'done', response_status = $4, response_body = $5::jsonb
        WHERE scope = $1 AND key = $2 AND claim_token = $3`,
      [claim.scope, claim.key, claim.token, status, JSON.stringify(body ?? null)],
    );
  }

  /** The request failed: the key is free for a retry, which runs in full. */
  async release(claim: IdempotencyClaim): Promise<void> {
    await this.dataSource.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND claim_token = $3`, [claim.scope, claim.key, claim.token]);
  }

  /** The purge job: deletes up to `limit` keys older than KEY_TTL_HOURS; how many it deleted. */
  async deleteExpired(em: EntityManager, limit: number): Promise<number> {
    const deleted = await returning(
      em,
      `DELETE FROM idempotency_keys WHERE ctid = ANY (ARRAY(
         SELECT ctid FROM idempotency_keys WHERE created_at < NOW() - make_interval(hours => $1) LIMIT $2 FOR UPDATE SKIP LOCKED))
       RETURNING key`,
      [KEY_TTL_HOURS, limit],
    );
    return deleted.length;
  }
}
