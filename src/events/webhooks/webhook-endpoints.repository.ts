import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../../common/database/returning';
import { isoUtc } from '../../common/database/sql';
import { Page, PageQueryDto, pageOf } from '../../common/http/page.dto';
import { EventEnvelope } from '../event-catalog';
import { toEnvelope } from '../outbox.repository';

export interface EndpointRow {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  /** Until when deliveries are also signed with the secret before the last rotation (null: they are not). */
  previousSecretExpiresAt: Date | null;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}

/** A delivery's status: pending (to be sent or retried), delivered (a 2xx came), failed (retries ran out). */
export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

export interface DeliveryRow {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  /** The user the event is about. */
  userId: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: Date | null;
  createdAt: Date;
}

/** A delivery claimed for one attempt: where it goes, how to sign it, what to send. */
export interface ClaimedDelivery {
  id: string;
  url: string;
  /** The secrets that sign it: the endpoint's, and the previous one while it has not expired. */
  secrets: string[];
  attempts: number;
  giveUpAt: Date;
  event: EventEnvelope;
}

const endpointColumns = (alias: string) =>
  `${alias}.id, ${alias}.url, ${alias}.description, ${alias}.event_types AS "eventTypes", ${alias}.enabled,
   CASE WHEN ${alias}.previous_secret_expires_at > NOW() THEN ${alias}.previous_secret_expires_at END AS "previousSecretExpiresAt", ${alias}.created_by AS "createdBy",
   ${alias}.created_at AS "createdAt", ${alias}.updated_at AS "updatedAt"`;
const ENDPOINT_COLUMNS = endpointColumns('webhook_endpoints');

/** Narrows an endpoint's deliveries; every field optional. */
export interface DeliveryFilter {
  status?: DeliveryStatus;
  eventType?: string;
  eventId?: string;
  userId?: string;
}

const DELIVERY_COLUMNS = `d.id, d.endpoint_id AS "endpointId", o.id AS "eventId", o.type AS "eventType", o.user_id::text AS "userId", d.status, d.attempts,
  CASE WHEN d.status = 'pending' THEN d.next_attempt_at END AS "nextAttemptAt", d.last_attempt_at AS "lastAttemptAt",
  d.last_status_code AS "lastStatusCode", d.last_error AS "lastError", d.delivered_at AS "deliveredAt", d.created_at AS "createdAt"`;

/**
 * The owner of `webhook_endpoints` and `webhook_deliveries`. Deliveries are
 * claimed with a lease: the claim moves next_attempt_at past the attempt's
 * longest time, so no transaction stays open during the HTTP call, and a
 * delivery whose sender died is claimed again once the lease runs out.
 */
@Injectable()
export class WebhookEndpointsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  // ── endpoints ───────────────────────────────────────────────────────────

  async insert(em: EntityManager, endpoint: { url: string; description: string; eventTypes: string[]; enabled: boolean; secret: string; createdBy: string }): Promise<EndpointRow> {
    const [row] = await em.query(
      `INSERT INTO webhook_endpoints (url, description, event_types, enabled, secret, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
      [endpoint.url, endpoint.description, endpoint.eventTypes, endpoint.enabled, endpoint.secret, endpoint.createdBy],
    );
    return row;
  }

  async find(id: string, em: EntityManager = this.dataSource.manager): Promise<EndpointRow | null> {
    const [row] = await em.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1`, [id]);
    return row ?? null;
  }

  /** Every endpoint (or the one of `id`) with its deliveries counted by status, newest first. */
  async list(id: string | null = null): Promise<(EndpointRow & { pending: number; failed: number; delivered: number })[]> {
    return this.dataSource.query(
      `SELECT ${endpointColumns('e')},
              COALESCE(c.pending, 0)::int AS pending, COALESCE(c.failed, 0)::int AS failed, COALESCE(c.delivered, 0)::int AS delivered
         FROM webhook_endpoints e
         LEFT JOIN LATERAL (
           SELECT COUNT(*) FILTER (WHERE status = 'pending') AS pending, COUNT(*) FILTER (WHERE status = 'failed') AS failed,
                  COUNT(*) FILTER (WHERE status = 'delivered') AS delivered
             FROM webhook_deliveries WHERE endpoint_id = e.id) c ON TRUE
        WHERE $1::bigint IS NULL OR e.id = $1
        ORDER BY e.id DESC`,
      [id],
    );
  }

  async update(em: EntityManager, id: string, change: { url?: string; description?: string; eventTypes?: string[]; enabled?: boolean }): Promise<EndpointRow | null> {
    const [row] = await returning<EndpointRow>(
      em,
      `UPDATE webhook_endpoints
          SET url = COALESCE($2, url), description = COALESCE($3, description), event_types = COALESCE($4, event_types),
              enabled = COALESCE($5, enabled), updated_at = NOW()
        WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, change.url ?? null, change.description ?? null, change.eventTypes ?? null, change.enabled ?? null],
    );
    return row ?? null;
  }

  /** A new secret; the one it replaces keeps signing for `keepPreviousHours` (0: it stops at once). */
  async setSecret(em: EntityManager, id: string, secret: string, keepPreviousHours: number): Promise<EndpointRow | null> {
    const [row] = await returning<EndpointRow>(
      em,
      `UPDATE webhook_endpoints
          SET previous_secret = CASE WHEN $3 > 0 THEN secret END,
              previous_secret_expires_at = CASE WHEN $3 > 0 THEN NOW() + make_interval(hours => $3) END,
              secret = $2, updated_at = NOW()
        WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`,
      [id, secret, keepPreviousHours],
    );
    return row ?? null;
  }

  /** Deletes an endpoint and its deliveries. */
  async delete(em: EntityManager, id: string): Promise<EndpointRow | null> {
    const [row] = await returning<EndpointRow>(em, `DELETE FROM webhook_endpoints WHERE id = $1 RETURNING ${ENDPOINT_COLUMNS}`, [id]);
    return row ?? null;
  }

  // ── deliveries ──────────────────────────────────────────────────────────

  async deliveries(endpointId: string, filter: DeliveryFilter, page: PageQueryDto): Promise<Page<DeliveryRow>> {
    const where = `d.endpoint_id = $1 AND ($2::varchar IS NULL OR d.status = $2) AND ($3::varchar IS NULL OR o.type = $3)
                   AND ($4::uuid IS NULL OR o.id = $4) AND ($5::bigint IS NULL OR o.user_id = $5)`;
    const values = [endpointId, filter.status ?? null, filter.eventType ?? null, filter.eventId ?? null, filter.userId ?? null];
    const from = `webhook_deliveries d JOIN outbox_events o ON o.position = d.event_position`;
    const [{ total }] = await this.dataSource.query(`SELECT COUNT(*)::int AS total FROM ${from} WHERE ${where}`, values);
    const items: DeliveryRow[] = await this.dataSource.query(
      `SELECT ${DELIVERY_COLUMNS} FROM ${from} WHERE ${where} ORDER BY d.id DESC OFFSET $6 LIMIT $7`,
      [...values, (page.page - 1) * page.pageSize, page.pageSize],
    );
    return pageOf(items, total, page);
  }

  /** Sends a delivery again now, with a fresh retry window, whatever its status. */
  async resend(em: EntityManager, endpointId: string, id: string, retryHours: number): Promise<DeliveryRow | null> {
    const [row] = await em.query(
      `WITH again AS (
         UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = NOW(), give_up_at = NOW() + make_interval(hours => $3), delivered_at = NULL
          WHERE id = $2 AND endpoint_id = $1 RETURNING *
       )
       SELECT ${DELIVERY_COLUMNS} FROM again d JOIN outbox_events o ON o.position = d.event_position`,
      [endpointId, id, retryHours],
    );
    return row ?? null;
  }

  /**
   * Claims up to `limit` due deliveries of enabled endpoints for one attempt
   * each: attempts + 1 and next_attempt_at moved `leaseSeconds` ahead, in
   * one statement (SKIP LOCKED: instances claim different deliveries).
   */
  async claimDue(limit: number, leaseSeconds: number): Promise<ClaimedDelivery[]> {
    const rows = await this.dataSource.query(
      `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id AND e.enabled
          WHERE d.status = 'pending' AND d.next_attempt_at <= NOW()
          ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED
       ), claimed AS (
         UPDATE webhook_deliveries d SET attempts = d.attempts + 1, last_attempt_at = NOW(), next_attempt_at = NOW() + make_interval(secs => $2)
           FROM due WHERE d.id = due.id
         RETURNING d.id, d.endpoint_id, d.event_position, d.attempts, d.give_up_at
       )
       SELECT c.id, c.attempts, c.give_up_at AS "giveUpAt", e.url,
              array_remove(ARRAY[e.secret, CASE WHEN e.previous_secret_expires_at > NOW() THEN e.previous_secret END], NULL) AS secrets,
              o.id AS event_id, o.type, o.user_id, o.sequence, ${isoUtc('o.occurred_at')} AS occurred_at, o.data
         FROM claimed c JOIN webhook_endpoints e ON e.id = c.endpoint_id JOIN outbox_events o ON o.position = c.event_position`,
      [limit, leaseSeconds],
    );
    return rows.map((r: Record<string, never>) => ({
      id: r.id,
      url: r.url,
      secrets: r.secrets,
      attempts: r.attempts,
      giveUpAt: r.giveUpAt,
      event: toEnvelope({ id: r.event_id, type: r.type, user_id: r.user_id, sequence: r.sequence, occurred_at: r.occurred_at, data: r.data }),
    }));
  }

  /** The outcome of one attempt: delivered; or retried at `retryAt`; or, with retryAt null, failed for good. */
  async recordAttempt(id: string, outcome: { delivered: boolean; statusCode: number | null; error: string | null; retryAt: Date | null }): Promise<void> {
    await this.dataSource.query(
      `UPDATE webhook_deliveries
          SET status = CASE WHEN $2 THEN 'delivered' WHEN $5::timestamptz IS NULL THEN 'failed' ELSE 'pending' END,
              delivered_at = CASE WHEN $2 THEN NOW() END,
              next_attempt_at = COALESCE($5::timestamptz, next_attempt_at),
              last_status_code = $3, last_error = $4
        WHERE id = $1 AND status = 'pending'`,
      [id, outcome.delivered, outcome.statusCode, outcome.error?.slice(0, 300) ?? null, outcome.retryAt],
    );
  }
}
