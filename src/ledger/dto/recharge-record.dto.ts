import { ApiProperty, ApiPropertyOptional, IntersectionType, OmitType } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { DateRangeQueryDto, PageDto, PageQueryDto } from '../../common/http/page.dto';
import { LedgerType, RechargeRecord } from '../recharge-record.entity';
import { IsBigintId } from '../../common/http/bigint-id';
import type { LedgerExportRow } from '../ledger.service';

/** A ledger row in an answer. */
export class RechargeRecordDto {
  @ApiProperty({ example: '1042' }) id: string;
  @ApiProperty({ example: '2.77777778', description: 'Signed USD amount: > 0 credit, < 0 debit' }) amount: string;
  @ApiProperty({ enum: LedgerType, enumName: 'LedgerType' }) type: LedgerType;
  @ApiProperty({
    example: 'system',
    nullable: true,
    type: String,
    description: "Who made the change: 'system', 'gateway', or the admin's email (users see only 'system' or 'admin')",
  })
  operator: string | null;
  @ApiProperty({ nullable: true, type: String }) remark: string | null;
  @ApiProperty({ example: 'PO20261123...', nullable: true, type: String, description: 'Order number, invitee id, …' })
  relatedId: string | null;
  @ApiProperty({ example: '0.00000000' }) balanceBefore: string;
  @ApiProperty({ example: '2.77777778' }) balanceAfter: string;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ example: '1', nullable: true, type: String, description: 'The campaign that paid a bonus row (type promotion); its name is the remark' })
  campaignId: string | null;

  static from(record: RechargeRecord): RechargeRecordDto {
    return {
      id: record.id,
      amount: record.amount,
      type: record.type,
      operator: record.operator,
      remark: record.remark,
      relatedId: record.relatedId,
      balanceBefore: record.balanceBefore,
      balanceAfter: record.balanceAfter,
      createdAt: record.createdAt.toISOString(),
      campaignId: record.campaignId ?? null,
    };
  }
}

/** What a user is told about who changed their balance: an admin's own name (email) stays with the admins. */
function operatorShownToUsers(operator: string | null): string | null {
  if (operator === null || operator === 'system') return operator;
  return operator === 'gateway' ? 'system' : 'admin';
}

/** A ledger row as its owner sees it: the operator is `admin` or `system`, never an admin's email. */
export function ownRechargeRecord(record: RechargeRecord): RechargeRecordDto {
  return { ...RechargeRecordDto.from(record), operator: operatorShownToUsers(record.operator) };
}

/** A ledger row of LedgerService.exportRows as its owner sees it (their data export). */
export function ownExportedRechargeRecord(row: LedgerExportRow): RechargeRecordDto {
  return {
    id: row.id,
    amount: row.amount,
    type: row.type as LedgerType,
    operator: operatorShownToUsers(row.operator),
    remark: row.remark,
    relatedId: row.related_id,
    balanceBefore: row.balance_before,
    balanceAfter: row.balance_after,
    createdAt: row.created_at,
    campaignId: row.campaign_id ?? null,
  };
}

export class RechargeRecordPageDto extends PageDto {
  @ApiProperty({ type: [RechargeRecordDto] }) items: RechargeRecordDto[];
}

/** A ledger row as admins see it: with whose balance it changed. */
export class AdminRechargeRecordDto extends RechargeRecordDto {
  @ApiProperty({ example: '42' }) userId: string;

  static override from(record: RechargeRecord): AdminRechargeRecordDto {
    return { ...RechargeRecordDto.from(record), userId: record.userId };
  }
}

export class AdminRechargeRecordPageDto extends PageDto {
  @ApiProperty({ type: [AdminRechargeRecordDto] }) items: AdminRechargeRecordDto[];
}

export class RechargeRecordQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: LedgerType, enumName: 'LedgerType' })
  @IsOptional()
  @IsEnum(LedgerType)
  type?: LedgerType;
}

export class AdminRechargeRecordQueryDto extends IntersectionType(RechargeRecordQueryDto, DateRangeQueryDto) {
  @ApiPropertyOptional({ example: '42', description: 'Only this user’s rows', pattern: '^[1-9]\\d{0,18}$' })
  @IsOptional()
  @IsBigintId('userId')
  userId?: string;
}

/** The global ledger's filters without paging: what a CSV export of it takes. */
export class AdminRechargeRecordExportQueryDto extends OmitType(AdminRechargeRecordQueryDto, ['page', 'pageSize'] as const) {}
