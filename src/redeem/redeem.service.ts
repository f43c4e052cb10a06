import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CacheStore } from '../common/cache/cache.store';
import { FailureLimiter } from '../common/cache/failure-limiter';
import { AppConfig } from '../common/config/app-config';
import { IdempotencyClaim, answered } from '../common/idempotency/idempotency.store';
import { Page, PageQueryDto, pageOf } from '../common/http/page.dto';
import { toUsd } from '../common/money/money';
import { Outbox } from '../events/outbox';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { generateRedeemCode, hashRedeemCode, normalizeRedeemCode } from './redeem-code';
import { RedeemBatchRow, RedeemBatchUsage, RedeemRepository } from './redeem.repository';
import { RedeemErrorCode, RedeemException } from './redeem.errors';

export interface NewRedeemBatch {
  count: number;
  amountUsd: string;
  expiresAt: Date | null;
  maxRedemptions: number;
  note: string;
}

/**
 * Redeem codes: batches of codes an admin hands out (gift cards, promotions),
 * each worth a fixed amount, redeemed by users into a `redeem` ledger row.
 */
@Injectable()
export class RedeemService {
  private readonly failures: FailureLimiter;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: RedeemRepository,
    private readonly ledger: LedgerService,
    private readonly outbox: Outbox,
    config: AppConfig,
    cache: CacheStore,
  ) {
    const { redeemFailures, redeemFailureWindowMinutes } = config.rateLimit;
    this.failures = new FailureLimiter(cache, 'redeem', redeemFailures, redeemFailureWindowMinutes * 60_000);
  }

  /** A batch and its codes, in the caller's transaction. The codes exist only in this answer. */
  async createBatch(em: EntityManager, input: NewRedeemBatch, adminId: string): Promise<{ batch: RedeemBatchRow; codes: string[] }> {
    const batch = await this.repository.insertBatch(em, { ...input, amountUsd: toUsd(input.amountUsd), codeCount: input.count, createdBy: adminId });
    const codes: string[] = [];
    while (codes.length < input.count) {
      const candidates = Array.from({ length: input.count - codes.length }, () => {
        const code = generateRedeemCode();
        return { code, hash: hashRedeemCode(normalizeRedeemCode(code)!), last4: code.slice(-4) };
      });
      const inserted = await this.repository.insertCodes(em, batch.id, candidates);
      for (const candidate of candidates) if (inserted.has(candidate.hash)) codes.push(candidate.code);
    }
    return { batch, codes };
  }

  async listBatches(page: PageQueryDto): Promise<Page<RedeemBatchUsage>> {
    const { items, total } = await this.repository.listBatches(page);
    return pageOf(items, total, page);
  }

  /** Disables a batch: none of its codes can be redeemed from now on. */
  async disableBatch(em: EntityManager, id: string): Promise<RedeemBatchUsage> {
    if (!(await this.repository.disableBatch(em, id))) throw RedeemException.batchNotFound(id);
    return (await this.repository.findBatch(id, em))!;
  }

  /**
   * A user redeems a code: one redemption and one `redeem` ledger row, in one
   * transaction. A wrong, used-up, disabled or expired code counts as a
   * failure for the user and for the address; past the limit every attempt
   * gets 429 until the window ends. With an Idempotency-Key, its answer
   * commits with the redemption.
   */
  async redeem(userId: string, input: string, clientIp: string | null, claim: IdempotencyClaim | null): Promise<{ amountUsd: string; balance: string }> {
    const subjects = [`user:${userId}`, ...(clientIp ? [`ip:${clientIp}`] : [])];
    const retryAfter = await this.failures.retryAfterSeconds(subjects);
    if (retryAfter > 0) throw RedeemException.tooManyFailures(retryAfter);

    const normalized = normalizeRedeemCode(input);
    try {
      if (!normalized) throw RedeemException.codeInvalid();
      const hash = hashRedeemCode(normalized);
      return await this.dataSource.transaction(async (em) => {
        const redemption = await this.repository.redeem(em, hash, userId);
        if (!redemption) throw (await this.repository.hasRedeemed(em, hash, userId)) ? RedeemException.alreadyRedeemed() : RedeemException.codeInvalid();
        const record = await this.ledger.credit(em, {
          userId,
          amount: redemption.amountUsd,
          type: LedgerType.Redeem,
          operator: 'system',
          remark: `redeem code ····${redemption.last4}`,
          relatedId: redemption.id,
        });
        await this.outbox.emit(em, 'redeem.redeemed', userId, {
          redemptionId: redemption.id,
          batchId: redemption.batchId,
          codeLast4: redemption.last4,
          amountUsd: redemption.amountUsd,
        });
        return answered(em, claim, { amountUsd: redemption.amountUsd, balance: record.balanceAfter });
      });
    } catch (error) {
      if (error instanceof RedeemException && error.code === RedeemErrorCode.CodeInvalid) await this.failures.recordFailure(subjects);
      throw error;
    }
  }
}
