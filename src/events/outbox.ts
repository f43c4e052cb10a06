import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { EventType } from './event-catalog';

const EMIT: PreparedStatement = {
  name: 'outbox-emit',
  text: `SELECT outbox_emit($1, $2, $3::jsonb) AS sequence`,
};

/**
 * How the owner of a money move announces it: the event is written in the
 * caller's transaction (`outbox_emit`, migration OutboxEvents), so it exists
 * exactly when the move committed, and takes the user's next sequence
 * number under the user's row lock. The dispatcher delivers it later.
 *
 * SQL that already moves money in one statement writes its events there
 * (see `outbox_emit` in payment_order_insert, markPaid and the order
 * transitions; the ledger's entry and the charge batch number theirs
 * inline). Amounts in `data` are decimal strings.
 */
@Injectable()
export class Outbox {
  async emit(em: EntityManager, type: EventType, userId: string, data: Record<string, unknown>): Promise<void> {
    // Outside a transaction the event would commit on its own, whatever became of the move.
    if (!em.queryRunner?.isTransactionActive) throw new Error(`outbox: ${type} must be emitted inside the transaction of its change`);
    await runPrepared(em, EMIT, [type, userId, JSON.stringify(data)]);
  }
}
