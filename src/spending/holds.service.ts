import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../common/config/app-config';
import { drainInLockedBatches, LockKey } from '../common/database/advisory-lock';
import { IdempotencyClaim, answered } from '../common/idempotency/idempotency.store';
import { Money, toUsd } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { ChargesService } from './charges.service';
import { CaptureResultDto, HoldDto } from './dto/spending.dto';
import { HoldRow, HoldsRepository } from './holds.repository';
import { SpendingException } from './spending.errors';

const EXPIRY_BATCH = 500;

const toHoldDto = (row: HoldRow): HoldDto => ({ ...row });

/**
 * Holds: two-phase spending, like a card authorisation. Creating one
 * reserves the amount (users.held grows, so what is available shrinks)
 * without a ledger row; capturing makes one charge of at most that amount
 * and gives the reservation back; releasing or expiring gives it back.
 * Each step is one transaction with the hold's transition, the user's row
 * and the answer of its Idempotency-Key.
 */
@Injectable()
export class HoldsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly holds: HoldsRepository,
    private readonly ledger: LedgerService,
    private readonly charges: ChargesService,
    private readonly config: AppConfig,
    private readonly outbox: Outbox,
  ) {}

  async create(
    apiKeyId: string,
    input: { userId: string; amountUsd: string; description: string; expiresInSeconds?: number },
    claim: IdempotencyClaim | null,
  ): Promise<HoldDto> {
    const seconds = Math.min(input.expiresInSeconds ?? this.config.spend.holdDefaultSeconds, this.config.spend.holdMaxSeconds);
    const amountUsd = toUsd(input.amountUsd);
    return this.dataSource.transaction(async (em) => {
      if (!(await this.ledger.reserve(em, input.userId, amountUsd))) {
        const holdings = await this.ledger.lockOpen(em, input.userId);
        if (!holdings) throw SpendingException.userNotFound(input.userId);
        throw SpendingException.insufficientBalance(holdings.available, amountUsd);
      }
      const hold = await this.holds.insert(em, { userId: input.userId, apiKeyId, amountUsd, description: input.description, seconds });
      await this.outbox.emit(em, 'hold.created', hold.userId, {
        holdId: hold.id,
        amountUsd: hold.amountUsd,
        description: hold.description,
        apiKeyId: hold.apiKeyId,
        expiresAt: hold.expiresAt.toISOString(),
      });
      return answered(em, claim, toHoldDto(hold));
    });
  }

  async find(id: string): Promise<HoldDto> {
    const row = await this.holds.find(id);
    if (!row) throw SpendingException.holdNotFound(id);
    return toHoldDto(row);
  }

  async capture(id: string, amountUsd: string, claim: IdempotencyClaim | null): Promise<CaptureResultDto> {
    const amount = toUsd(amountUsd);
    return this.dataSource.transaction(async (em) => {
      const hold = await this.holds.capture(em, id, amount);
      if (!hold) throw await this.whyNot(id, amount);
      await this.ledger.unreserve(em, hold.userId, hold.amountUsd);
      const charge = await this.charges.chargeOne(em, { userId: hold.userId, apiKeyId: hold.apiKeyId, amountUsd: amount, description: hold.description, holdId: hold.id });
      await this.outbox.emit(em, 'hold.captured', hold.userId, { holdId: hold.id, amountUsd: hold.amountUsd, capturedUsd: amount, chargeId: charge.id });
      return answered(em, claim, { hold: toHoldDto(hold), charge });
    });
  }

  async release(id: string, claim: IdempotencyClaim | null): Promise<HoldDto> {
    return this.dataSource.transaction(async (em) => {
      const hold = await this.holds.release(em, id);
      if (!hold) throw await this.whyNot(id);
      await this.ledger.unreserve(em, hold.userId, hold.amountUsd);
      await this.outbox.emit(em, 'hold.released', hold.userId, { holdId: hold.id, amountUsd: hold.amountUsd, reason: 'released' });
      return answered(em, claim, toHoldDto(hold));
    });
  }

  /**
   * Closing an account, in its transaction: every active hold of the user is
   * released as a release by its service would be (the reservation given
   * back, one hold.released event each). Answers the total given back.
   */
  async releaseAllOf(em: EntityManager, userId: string): Promise<string> {
    const released = await this.holds.releaseAllOf(em, userId);
    const total = toUsd(released.reduce((sum, hold) => sum.plus(hold.amountUsd), new Money(0)));
    if (released.length === 0) return total;
    await this.ledger.unreserve(em, userId, total);
    for (const hold of released) await this.outbox.emit(em, 'hold.released', userId, { holdId: hold.id, amountUsd: hold.amountUsd, reason: 'released' });
    return total;
  }

  /** The expiry job: active holds past their time are released, in batches; null when another instance holds the lock. */
  expireDue(): Promise<number | null> {
    return drainInLockedBatches(this.dataSource, LockKey.ExpireHolds, EXPIRY_BATCH, async (em) => {
      const expired = await this.holds.expireBatch(em, EXPIRY_BATCH);
      // One update per user, in id order so two transactions never lock users in opposite orders.
      const byUser = new Map<string, HoldRow[]>();
      for (const hold of expired) byUser.set(hold.userId, [...(byUser.get(hold.userId) ?? []), hold]);
      for (const userId of [...byUser.keys()].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))) {
        const holds = byUser.get(userId)!;
        await this.ledger.unreserve(em, userId, toUsd(holds.reduce((sum, hold) => sum.plus(hold.amountUsd), new Money(0))));
        for (const hold of holds) await this.outbox.emit(em, 'hold.released', userId, { holdId: hold.id, amountUsd: hold.amountUsd, reason: 'expired' });
      }
      return expired.length;
    });
  }

  /** Why a capture or release matched nothing: no such hold, not active (or expired), or more than it holds. */
  private async whyNot(id: string, captureAmount?: string): Promise<SpendingException> {
    const hold = await this.holds.find(id);
    if (!hold) return SpendingException.holdNotFound(id);
    if (hold.status !== 'active') return SpendingException.holdNotActive(id, hold.status);
    if (hold.expiresAt <= new Date()) return SpendingException.holdNotActive(id, 'expired');
    return SpendingException.captureExceedsHold(id, hold.amountUsd);
  }
}
