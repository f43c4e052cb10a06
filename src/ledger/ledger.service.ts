import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { PreparedStatement, runPrepared } from '../common/database/prepared';
import { returning } from '../common/database/returning';
import { newestFirstBatches } from '../common/database/keyset';
import { isoUtc } from '../common/database/sql';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { Money, toUsd } from '../common/money/money';
import { LedgerException } from './ledger.errors';
import { LedgerType, RechargeRecord } from './recharge-record.entity';

/** A user's money: the balance, what active holds reserve of it, and the rest. */
export interface Holdings {
  balance: string;
  held: string;
  available: string;
}

function toHoldings(row: { balance: string; held: string }): Holdings {
  return { balance: row.balance, held: row.held, available: toUsd(new Money(row.balance).minus(row.held)) };
}

/** One balance change, as its caller describes it. */
export interface LedgerEntry {
  userId: string;
  /** Signed decimal string: > 0 credits, < 0 debits; rounded half-up to 8 places. */
  amount: string;
  type: LedgerType;
  /** 'system' or the acting admin's email. */
  operator: string;
  remark?: string | null;
  /** What caused it: an order number, an invitee id, … */
  relatedId?: string | null;
  /** The campaign that paid a bonus (type promotion). */
  campaignId?: string | null;
}

/** A ledger row as an export writes it: every value already text, as PostgreSQL formats it. */
export interface LedgerExportRow {
  id: string;
  user_id: string;
  type: string;
  amount: string;
  balance_before: string;
  balance_after: string;
  operator: string | null;
  related_id: string | null;
  remark: string | null;
  created_at: string;
  campaign_id: string | null;
}

export interface LedgerFilter {
  userId?: string;
  type?: LedgerType;
  from?: Date;
  to?: Date;
}

/**
 * Moves the balance, appends the ledger row and writes its balance.changed
 * event in one statement: the user's row is updated only when a debit stays
 * within what is available (the balance less active holds; the row lock
 * orders concurrent changes to one user), and the ledger row takes its
 * before/after snapshot from the same update. created_at is the time of the
 * insert (not of the transaction's start), so a user's rows sort by time in
 * chain order. The event takes the user's next sequence number from the same
 * update of the user's row (outbox_emit would update that row a second time
 * in one statement), so it is numbered in the ledger's order.
 */
const POST_ENTRY: PreparedStatement = {
  name: 'ledger-post-entry',
  text: `
  WITH moved AS (
    UPDATE users SET balance = balance + $2::numeric, event_sequence = event_sequence + 1, updated_at = NOW()
     WHERE id = $1 AND balance - held + $2::numeric >= 0
    RETURNING id, balance, event_sequence
  ), entry AS (
    INSERT INTO recharge_records
           (user_id, amount, type, operator, remark, related_id, balance_before, balance_after, created_at, campaign_id)
    SELECT moved.id, $2::numeric, $3, $4, $5, $6, moved.balance - $2::numeric, moved.balance, clock_timestamp(), $7::bigint FROM moved
    RETURNING id, user_id, amount, type, operator, remark, related_id, balance_before, balance_after, created_at, campaign_id
  ), event AS (
    INSERT INTO outbox_events (type, user_id, sequence, data)
    SELECT 'balance.changed', entry.user_id, moved.event_sequence,
           jsonb_build_object('entryId', entry.id::text, 'type', entry.type, 'amount', entry.amount::text,
                              'balanceBefore', entry.balance_before::text, 'balanceAfter', entry.balance_after::text,
                              'relatedId', entry.related_id)
      FROM entry, moved
  )
  SELECT * FROM entry`,
};

interface RecordRow {
  id: string;
  user_id: string;
  amount: string;
  type: LedgerType;
  operator: string | null;
  remark: string | null;
  related_id: string | null;
  balance_before: string;
  balance_after: string;
  created_at: Date;
  campaign_id: string | null;
}

function toRecord(row: RecordRow): RechargeRecord {
  return Object.assign(new RechargeRecord(), {
    id: row.id,
    userId: row.user_id,
    amount: row.amount,
    type: row.type,
    operator: row.operator,
    remark: row.remark,
    relatedId: row.related_id,
    balanceBefore: row.balance_before,
    balanceAfter: row.balance_after,
    createdAt: row.created_at,
    campaignId: row.campaign_id,
  });
}

/**
 * How a balance changes (the charge batches of apply_charge_batch are the one
 * other writer, on purpose; see ChargesRepository). Writes take the caller's
 * transaction, so the balance change commits or rolls back together with
 * the business change that caused it.
 */
@Injectable()
export class LedgerService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Applies a signed change. A debit that would take the balance below zero throws and changes nothing. */
  async post(em: EntityManager, entry: LedgerEntry): Promise<RechargeRecord> {
    const amount = toUsd(entry.amount);
    if (new Money(amount).isZero()) {
      throw LedgerException.zeroAmount();
    }
    const rows = await runPrepared<RecordRow>(em, POST_ENTRY, [
      entry.userId,
      amount,
      entry.type,
      entry.operator,
      entry.remark ?? null,
      entry.relatedId ?? null,
      entry.campaignId ?? null,
    ]);
    if (rows.length === 1) return toRecord(rows[0]);
    const [user] = await em.query('SELECT 1 FROM users WHERE id = $1', [entry.userId]);
    throw user ? LedgerException.insufficientBalance(entry.userId, amount) : LedgerException.userNotFound(entry.userId);
  }

  /** Adds a positive amount. */
  credit(em: EntityManager, entry: LedgerEntry): Promise<RechargeRecord> {
    return this.post(em, { ...entry, amount: new Money(entry.amount).abs().toString() });
  }

  /** Takes a positive amount away. */
  debit(em: EntityManager, entry: LedgerEntry): Promise<RechargeRecord> {
    return this.post(em, { ...entry, amount: new Money(entry.amount).abs().negated().toString() });
  }

  /**
   * Takes `entry.amount` away, or as much of it as the balance holds (a
   * refund with force, a reversed reward): the user's row is locked first,
   * so the amount taken is exact. `shortfall` is what could not be taken;
   * `record` is null when the balance was zero (a ledger row is never 0).
   */
  async debitUpTo(em: EntityManager, entry: LedgerEntry): Promise<{ taken: string; shortfall: string; record: RechargeRecord | null }> {
    const wanted = new Money(entry.amount).abs();
    const { available } = await this.lock(em, entry.userId);
    const taken = Money.min(wanted, available);
    const record = taken.isZero() ? null : await this.debit(em, { ...entry, amount: toUsd(taken) });
    return { taken: toUsd(taken), shortfall: toUsd(wanted.minus(taken)), record };
  }

  /** Locks the user's row for the rest of the transaction and reads their money. */
  async lock(em: EntityManager, userId: string): Promise<Holdings> {
    const [row] = await em.query('SELECT balance, held FROM users WHERE id = $1 FOR UPDATE', [userId]);
    if (!row) throw LedgerException.userNotFound(userId);
    return toHoldings(row);
  }

  /** The holdings of an open account, locked; null when there is no such user or the account is closed. */
  async lockOpen(em: EntityManager, userId: string): Promise<Holdings | null> {
    const [row] = await em.query(`SELECT balance, held FROM users WHERE id = $1 AND status <> 'closed' FOR UPDATE`, [userId]);
    return row ? toHoldings(row) : null;
  }

  /** Reserves `amount` of what is available (a hold); false when less is available, or the account is closed. */
  async reserve(em: EntityManager, userId: string, amount: string): Promise<boolean> {
    const rows = await returning(em, `UPDATE users SET held = held + $2, updated_at = NOW() WHERE id = $1 AND balance - held >= $2 AND status <> 'closed' RETURNING id`, [
      userId,
      toUsd(amount),
    ]);
    return rows.length === 1;
  }

  /** Gives back a reservation (a hold captured, released or expired). */
  async unreserve(em: EntityManager, userId: string, amount: string): Promise<void> {
    await em.query(`UPDATE users SET held = held - $2, updated_at = NOW() WHERE id = $1`, [userId, toUsd(amount)]);
  }

  async holdingsOf(userId: string): Promise<Holdings> {
    const [row] = await this.dataSource.query('SELECT balance, held FROM users WHERE id = $1', [userId]);
    if (!row) throw LedgerException.userNotFound(userId);
    return toHoldings(row);
  }

  /** The rows one user got for one cause (an order number, an invitee id), oldest first. */
  rowsFor(userId: string, relatedId: string, em: EntityManager = this.dataSource.manager): Promise<RechargeRecord[]> {
    return em.getRepository(RechargeRecord).find({ where: { relatedId, userId }, order: { id: 'ASC' } });
  }

  async balanceOf(userId: string): Promise<string> {
    const [row] = await this.dataSource.query('SELECT balance FROM users WHERE id = $1', [userId]);
    if (!row) throw LedgerException.userNotFound(userId);
    return row.balance;
  }

  /**
   * The rows of a filter for an export, newest first, in batches (a keyset
   * read: see newestFirstBatches). Ledger rows never change, so the export is
   * exact without a transaction held open for its length.
   */
  exportRows(filter: LedgerFilter, batchSize = 2000): AsyncGenerator<LedgerExportRow[]> {
    return newestFirstBatches(
      () =>
        this.filtered(filter).select([
          'r.id::text AS id',
          'r.user_id::text AS user_id',
          'r.type AS type',
          'r.amount::text AS amount',
          'r.balance_before::text AS balance_before',
          'r.balance_after::text AS balance_after',
          'r.operator AS operator',
          'r.related_id AS related_id',
          'r.remark AS remark',
          `${isoUtc('r.created_at')} AS created_at`,
          'r.campaign_id::text AS campaign_id',
        ]),
      'r',
      batchSize,
    );
  }

  /** Newest first; with a user id this reads the (user_id, created_at DESC) index. */
  async list(filter: LedgerFilter, page: PageQueryDto): Promise<Page<RechargeRecord>> {
    const [items, total] = await this.filtered(filter)
      .orderBy('r.createdAt', 'DESC')
      .addOrderBy('r.id', 'DESC')
      .skip((page.page - 1) * page.pageSize)
      .take(page.pageSize)
      .getManyAndCount();
    return pageOf(items, total, page);
  }

  /** Ledger rows (alias `r`) narrowed by a filter: the list and the export read the same rows. */
  private filtered(filter: LedgerFilter) {
    const query = this.dataSource.getRepository(RechargeRecord).createQueryBuilder('r');
    if (filter.userId) query.andWhere('r.userId = :userId', { userId: filter.userId });
    if (filter.type) query.andWhere('r.type = :type', { type: filter.type });
    if (filter.from) query.andWhere('r.createdAt >= :from', { from: filter.from });
    if (filter.to) query.andWhere('r.createdAt < :to', { to: filter.to });
    return query;
  }
}
