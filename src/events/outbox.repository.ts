import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { isoUtc } from '../common/database/sql';
import { EventEnvelope } from './event-catalog';

interface EventRow {
  position: string;
  id: string;
  type: string;
  user_id: string;
  sequence: string;
  occurred_at: string;
  data: Record<string, unknown>;
}

/** An event as the dispatcher holds it: its place in the outbox and what every sink delivers. */
export interface OutboxEvent {
  position: string;
  envelope: EventEnvelope;
}

const EVENT_COLUMNS = `position, id, type, user_id, sequence, ${isoUtc('occurred_at')} AS occurred_at, data`;

export function toEnvelope(row: Omit<EventRow, 'position'>): EventEnvelope {
  return { id: row.id, type: row.type, occurredAt: row.occurred_at, userId: String(row.user_id), sequence: Number(row.sequence), data: row.data };
}

/** How far behind a sink is. */
export interface OutboxLag {
  /** Events not yet handed to the sink. */
  pending: number;
  /** Age of the oldest of them, in seconds (0 when none). */
  oldestSeconds: number;
}

/**
 * The owner of `outbox_events` (written by the owners of money moves through
 * `outbox_emit`; see Outbox). Claims take rows with FOR UPDATE SKIP LOCKED,
 * so any number of dispatchers share the work and an event is claimed by one
 * of them at a time.
 */
@Injectable()
export class OutboxRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The oldest events the broker has not confirmed, locked until the caller's transaction ends. */
  async claimUnpublished(em: EntityManager, limit: number): Promise<OutboxEvent[]> {
    const rows: EventRow[] = await em.query(
      `SELECT ${EVENT_COLUMNS} FROM outbox_events WHERE published_at IS NULL ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((row) => ({ position: row.position, envelope: toEnvelope(row) }));
  }

  async markPublished(em: EntityManager, positions: string[]): Promise<void> {
    await em.query(`UPDATE outbox_events SET published_at = NOW() WHERE position = ANY($1::bigint[])`, [positions]);
  }

  /**
   * Routes the oldest unrouted events to the enabled webhook endpoints that
   * want their type (one pending delivery each), in one statement. Without a
   * broker, routing is also the events' only dispatch, so they count as
   * published. Answers how many events it routed.
   */
  async route(em: EntityManager, limit: number, retryHours: number, brokerEnabled: boolean): Promise<number> {
    const [row] = await em.query(
      `WITH claimed AS (
         SELECT position, type FROM outbox_events WHERE routed_at IS NULL ORDER BY position LIMIT $1 FOR UPDATE SKIP LOCKED
       ), deliveries AS (
         INSERT INTO webhook_deliveries (endpoint_id, event_position, give_up_at)
         SELECT e.id, c.position, NOW() + make_interval(hours => $2)
           FROM claimed c JOIN webhook_endpoints e ON e.enabled AND (c.type = ANY(e.event_types) OR '*' = ANY(e.event_types))
         ON CONFLICT (endpoint_id, event_position) DO NOTHING
         RETURNING 1
       ), routed AS (
         UPDATE outbox_events o
            SET routed_at = NOW(), published_at = CASE WHEN $3::boolean THEN o.published_at ELSE COALESCE(o.published_at, NOW()) END
           FROM claimed c WHERE o.position = c.position
         RETURNING 1
       )
       SELECT (SELECT COUNT(*) FROM routed)::int AS routed, (SELECT COUNT(*) FROM deliveries)::int AS deliveries`,
      [limit, retryHours, brokerEnabled],
    );
    return row.routed;
  }

  /**
   * Deletes delivered events older than `days` (every sink done, no webhook
   * delivery still pending), a batch at a time; answers how many it deleted.
   */
  async prune(days: number, brokerEnabled: boolean, limit: number): Promise<number> {
    const [row] = await this.dataSource.query(
      `WITH doomed AS (
         SELECT o.position FROM outbox_events o
          WHERE o.occurred_at < NOW() - make_interval(days => $1) AND o.routed_at IS NOT NULL
            AND (o.published_at IS NOT NULL OR NOT $2::boolean)
            AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_position = o.position AND d.status = 'pending')
          ORDER BY o.position LIMIT $3
       ), deleted AS (
         DELETE FROM outbox_events o USING doomed WHERE o.position = doomed.position RETURNING 1
       )
       SELECT COUNT(*)::int AS deleted FROM deleted`,
      [days, brokerEnabled, limit],
    );
    return row.deleted;
  }

  /** How far the broker sink (`published_at`) or the webhook routing (`routed_at`) is behind. */
  async lag(sink: 'broker' | 'webhooks'): Promise<OutboxLag> {
    const column = sink === 'broker' ? 'published_at' : 'routed_at';
    const [row] = await this.dataSource.query(
      `SELECT (SELECT COUNT(*) FROM outbox_events WHERE ${column} IS NULL)::int AS pending,
              COALESCE((SELECT EXTRACT(EPOCH FROM NOW() - occurred_at) FROM outbox_events WHERE ${column} IS NULL ORDER BY position LIMIT 1), 0)::float AS oldest`,
    );
    return { pending: row.pending, oldestSeconds: Math.max(0, row.oldest) };
  }

  /** One user's events in sequence order (the admin's view, the tests). */
  async ofUser(userId: string, afterSequence = 0, limit = 1000): Promise<EventEnvelope[]> {
    const rows: EventRow[] = await this.dataSource.query(
      `SELECT ${EVENT_COLUMNS} FROM outbox_events WHERE user_id = $1 AND sequence > $2 ORDER BY sequence LIMIT $3`,
      [userId, afterSequence, limit],
    );
    return rows.map(toEnvelope);
  }
}
