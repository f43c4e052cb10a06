import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Counter, Histogram } from 'prom-client';
import { DataSource, EntityManager } from 'typeorm';
import { isDeadlock } from '../common/database/sql';
import { domainErrorBody } from '../common/errors/all-exceptions.filter';
import { IdempotencyClaim, IdempotencyStore, KEY_TTL_HOURS, answered, idempotencyErrors } from '../common/idempotency/idempotency.store';
import { MetricsService } from '../common/metrics/metrics.service';
import { Money, toUsd } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { ChargeRow, ChargesRepository } from './charges.repository';
import { ChargeDto, ChargeRefundDto } from './dto/spending.dto';
import { SpendingException } from './spending.errors';

/** A charge as a service asks for it, with its Idempotency-Key. */
export interface ChargeRequest {
  userId: string;
  amountUsd: string;
  description: string;
  metadata: Record<string, unknown> | null;
  apiKeyId: string;
  idempotency: { scope: string; key: string; hash: string };
  requestId: string;
}

/** What the caller answers: the status and body, as stored for replays. */
export interface ChargeAnswer {
  status: number;
  body: unknown;
  replayed: boolean;
}

interface Waiting {
  request: ChargeRequest;
  resolve(answer: ChargeAnswer): void;
  reject(error: unknown): void;
}

/** The most charges applied in one transaction. */
const MAX_BATCH = 256;
/**
 * Batches in flight at once. Below it, a charge starts its own batch at
 * once; at it, charges queue and the next free slot takes the whole queue.
 * Batches that share a user serialize on the user's row.
 */
const MAX_IN_FLIGHT = 2;
/** A batch that PostgreSQL aborts for a deadlock (with another transaction locking two users) runs again, this many times. */
const DEADLOCK_RETRIES = 3;

export function toChargeDto(row: ChargeRow, balanceAfter: string): ChargeDto {
  return {
    id: row.id,
    userId: row.userId,
    amountUsd: row.amountUsd,
    refundedUsd: row.refundedUsd,
    description: row.description,
    metadata: row.metadata,
    holdId: row.holdId,
    balanceAfter,
    createdAt: row.createdAt,
  };
}

/** Why a charge was refused: `available` short of its amount, or (null) no such user. Live answers and replays both say it this way. */
function refusalOf(request: ChargeRequest, available: string | null): SpendingException {
  return available === null ? SpendingException.userNotFound(request.userId) : SpendingException.insufficientBalance(available, toUsd(request.amountUsd));
}

/**
 * Charges. Concurrent charges are applied together: while MAX_IN_FLIGHT
 * batches are under way, new charges queue, and the next batch takes the
 * whole queue, whatever users it holds. A batch is one statement of its own
 * (the database function `apply_charge_batch`): it claims the charges'
 * Idempotency-Keys in key order, locks their users in id order, accepts each
 * user's charges in arrival order while the available balance covers them
 * (the rest get 402), writes the charge rows, the `deduct` ledger rows and
 * the answers, moves each balance once, and commits. Each caller is answered
 * only after that commit, so a crash at any point loses no answered charge:
 * before the commit nothing of the batch exists (and its callers got no
 * answer), after it all of it does, stored answers included.
 */
@Injectable()
export class ChargesService {
  private readonly queue: Waiting[] = [];
  private inFlight = 0;
  private readonly batchSize: Histogram;
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly charges: ChargesRepository,
    private readonly ledger: LedgerService,
    private readonly idempotency: IdempotencyStore,
    private readonly outbox: Outbox,
    metrics: MetricsService,
  ) {
    this.batchSize = new Histogram({
      name: 'charge_batch_size',
      help: 'Charges applied together in one batch statement (any number of accounts)',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [metrics.registry],
    });
    this.outcomes = new Counter({
      name: 'charges_total',
      help: 'Charge requests by outcome (charged, insufficient, user_not_found, replayed)',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
  }

  /**
   * Charges, or answers what the Idempotency-Key already holds: a key used
   * before is found when the batch claims it, and then answered from storage.
   */
  charge(request: ChargeRequest): Promise<ChargeAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ request, resolve, reject });
      this.startBatches();
    });
  }

  async find(id: string): Promise<ChargeDto> {
    const row = await this.charges.find(id);
    if (!row) throw SpendingException.chargeNotFound(id);
    return toChargeDto(row, await this.balanceAfterCharge(row));
  }

  /** Gives back all or part of a charge: a positive `deduct` row; the refunds of a charge never exceed it. */
  async refund(id: string, amountUsd: string | undefined, claim: IdempotencyClaim | null): Promise<ChargeRefundDto> {
    return this.dataSource.transaction(async (em) => {
      const charge = await this.charges.find(id, em);
      if (!charge) throw SpendingException.chargeNotFound(id);
      const left = new Money(charge.amountUsd).minus(charge.refundedUsd);
      const amount = toUsd(amountUsd ?? left);
      if (left.isZero() || new Money(amount).gt(left)) throw SpendingException.refundExceedsCharge(id, toUsd(left));
      const refunded = await this.charges.addRefund(em, id, amount);
      // Another refund took the rest between the read and the update.
      if (!refunded) throw SpendingException.refundExceedsCharge(id, '0.00000000');
      const record = await this.ledger.credit(em, {
        userId: charge.userId,
        amount,
        type: LedgerType.Deduct,
        operator: 'system',
        remark: `refund: ${charge.description}`.slice(0, 500),
        relatedId: charge.id,
      });
      await this.outbox.emit(em, 'charge.refunded', charge.userId, {
        chargeId: charge.id,
        refundId: refunded.refundId,
        amountUsd: amount,
        refundedUsd: refunded.charge.refundedUsd,
        balanceAfter: record.balanceAfter,
      });
      return answered(em, claim, {
        id: refunded.refundId,
        amountUsd: amount,
        charge: toChargeDto(refunded.charge, await this.balanceAfterCharge(refunded.charge, em)),
        balanceAfter: record.balanceAfter,
      });
    });
  }

  /** One charge applied alone (a hold's capture), in the caller's transaction. */
  async chargeOne(em: EntityManager, charge: { userId: string; apiKeyId: string | null; amountUsd: string; description: string; holdId: string }): Promise<ChargeDto> {
    const row = await this.charges.insert(em, { ...charge, metadata: null });
    const record = await this.ledger.debit(em, {
      userId: charge.userId,
      amount: charge.amountUsd,
      type: LedgerType.Deduct,
      operator: 'system',
      remark: charge.description,
      relatedId: row.id,
    });
    await this.outbox.emit(em, 'charge.created', charge.userId, {
      chargeId: row.id,
      amountUsd: row.amountUsd,
      description: row.description,
      metadata: row.metadata,
      apiKeyId: row.apiKeyId,
      holdId: row.holdId,
      balanceAfter: record.balanceAfter,
    });
    return toChargeDto(row, record.balanceAfter);
  }

  private async replay(request: ChargeRequest): Promise<ChargeAnswer | null> {
    const { scope, key, hash } = request.idempotency;
    const held = await this.idempotency.lookup(scope, key, hash);
    if (!held) return null;
    if (held.kind === 'mismatch') throw idempotencyErrors.reused();
    if (held.kind === 'in_progress') throw idempotencyErrors.inUse(held.retryAfterSeconds);
    this.outcomes.inc({ outcome: 'replayed' });
    return { status: held.status, body: await this.storedBody(request, held.status, held.body), replayed: true };
  }

  /**
   * The body of a stored answer. A batch stores facts (the charge and the
   * balance after it, or what was available) and the body is rebuilt from
   * them: a charge's fields never change after it is made, except what was
   * refunded since, which the first answer showed as nothing.
   */
  private async storedBody(request: ChargeRequest, status: number, stored: unknown): Promise<unknown> {
    const facts = stored as { kind?: string; chargeId?: string; balanceAfter?: string; available?: string; requestId?: string } | null;
    if (facts?.kind === 'charge') {
      const row = await this.charges.find(facts.chargeId!);
      if (!row) throw SpendingException.chargeNotFound(facts.chargeId!);
      return toChargeDto({ ...row, refundedUsd: toUsd(0) }, facts.balanceAfter!);
    }
    if (facts?.kind === 'charge-refused') return domainErrorBody(refusalOf(request, status === 402 ? facts.available! : null), facts.requestId!);
    // Answers stored whole, as earlier versions did.
    return stored;
  }

  private startBatches(): void {
    while (this.inFlight < MAX_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.startBatches();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    this.batchSize.observe(batch.length);
    try {
      const { answers, elsewhere } = await this.applyRetryingDeadlocks(batch);
      batch.forEach((waiting, i) => answers[i] && waiting.resolve(answers[i]!));
      // Keys another transaction (or an earlier charge in this batch) holds: their answer is stored now.
      for (const waiting of elsewhere) {
        this.replay(waiting.request).then(
          (answer) => (answer ? waiting.resolve(answer) : waiting.reject(idempotencyErrors.inUse())),
          (error) => waiting.reject(error),
        );
      }
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }

  private async applyRetryingDeadlocks(batch: Waiting[]): Promise<{ answers: (ChargeAnswer | null)[]; elsewhere: Waiting[] }> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.apply(batch);
      } catch (error) {
        if (attempt > DEADLOCK_RETRIES || !isDeadlock(error)) throw error;
      }
    }
  }

  /** Applies the batch; answers[i] is null for a charge whose key was used before or held elsewhere (listed in `elsewhere`). */
  private async apply(batch: Waiting[]): Promise<{ answers: (ChargeAnswer | null)[]; elsewhere: Waiting[] }> {
    // A key twice in one batch is sent once; its other copies are answered from storage.
    const idOf = (w: Waiting) => `${w.request.idempotency.scope} ${w.request.idempotency.key}`;
    const firsts = new Map<string, Waiting>();
    for (const waiting of batch) if (!firsts.has(idOf(waiting))) firsts.set(idOf(waiting), waiting);
    const sent = [...firsts.values()];
    const outcomes = await this.charges.applyBatch(
      sent.map(({ request }) => ({ ...request.idempotency, ...request, amountUsd: toUsd(request.amountUsd) })),
      KEY_TTL_HOURS,
    );

    const answers = new Map<Waiting, ChargeAnswer>();
    sent.forEach((waiting, i) => {
      const { request } = waiting;
      const result = outcomes[i];
      if (result.outcome === 'elsewhere') return;
      this.outcomes.inc({ outcome: result.outcome });
      if (result.outcome === 'charged') {
        const row: ChargeRow = { id: result.chargeId, userId: request.userId, apiKeyId: request.apiKeyId, amountUsd: toUsd(request.amountUsd), refundedUsd: toUsd(0), description: request.description, metadata: request.metadata, holdId: null, createdAt: result.createdAt };
        answers.set(waiting, { status: 201, body: toChargeDto(row, result.balanceAfter), replayed: false });
      } else {
        const body = domainErrorBody(refusalOf(request, result.outcome === 'insufficient' ? result.available : null), request.requestId);
        answers.set(waiting, { status: body.statusCode, body, replayed: false });
      }
    });
    return { answers: batch.map((w) => answers.get(w) ?? null), elsewhere: batch.filter((w) => !answers.has(w)) };
  }

  /** The balance right after a charge: its first `deduct` row. */
  private async balanceAfterCharge(row: ChargeRow, em: EntityManager = this.dataSource.manager): Promise<string> {
    const [record] = await em.query(
      `SELECT balance_after FROM recharge_records WHERE user_id = $1 AND related_id = $2 AND type = 'deduct' AND amount < 0 ORDER BY id LIMIT 1`,
      [row.userId, row.id],
    );
    return record?.balance_after ?? '0.00000000';
  }
}
