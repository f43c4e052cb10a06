import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdempotencyClaim, answered } from '../common/idempotency/idempotency.store';
import { RechargeRecordDto } from '../ledger/dto/recharge-record.dto';
import { LedgerService } from '../ledger/ledger.service';
import { LedgerType } from '../ledger/recharge-record.entity';
import { AuthenticatedUser } from '../users/auth/authenticated-user';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';

@Injectable()
export class AdminLedgerService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly ledger: LedgerService,
    private readonly audit: AdminAuditService,
  ) {}

  /** A manual credit or debit: the ledger row, its audit record and the Idempotency-Key's answer commit together. */
  adjustBalance(admin: AuthenticatedUser, userId: string, amount: string, remark: string, claim: IdempotencyClaim | null): Promise<RechargeRecordDto> {
    return this.dataSource.transaction(async (em) => {
      const record = await this.ledger.post(em, {
        userId,
        amount,
        type: LedgerType.Admin,
        operator: admin.email,
        remark,
      });
      await this.audit.record(em, admin, {
        action: AuditAction.BalanceAdjust,
        targetType: AuditTarget.User,
        targetId: userId,
        remark,
        before: { balance: record.balanceBefore },
        after: { balance: record.balanceAfter, rechargeRecordId: record.id, amount: record.amount },
      });
      return answered(em, claim, RechargeRecordDto.from(record));
    });
  }
}
