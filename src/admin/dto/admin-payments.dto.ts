import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEmail, IsEnum, IsIn, IsNotEmpty, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { Trim } from '../../common/http/trim.decorator';
import { PageDto, PageQueryDto } from '../../common/http/page.dto';
import { RechargeRecordDto } from '../../ledger/dto/recharge-record.dto';
import { OrderDto, ProviderDto } from '../../payments/dto/order.dto';
import { REMARK_MAX_LENGTH } from '../../ledger/recharge-record.entity';
import { OrderStatus } from '../../payments/payment-order.entity';
import { PROVIDER_NAME_PATTERN } from '../../payments/payment-provider.registry';
import { RefundMethod, RefundStatus } from '../../payments/payment-refund.entity';
import { IsBigintId } from '../../common/http/bigint-id';
import { DateQuery } from '../../common/http/date-query';

export class AdminOrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OrderStatus, enumName: 'OrderStatus' })
  @IsOptional()
  @IsEnum(OrderStatus, { message: `status must be one of: ${Object.values(OrderStatus).join(', ')}` })
  status?: OrderStatus;

  @ApiPropertyOptional({ description: 'A gateway name (GET /api/admin/payment/providers)', pattern: PROVIDER_NAME_PATTERN.source, maxLength: 20 })
  @IsOptional()
  @MaxLength(20, { message: 'provider must be a gateway name' })
  @Matches(PROVIDER_NAME_PATTERN, { message: 'provider must be a gateway name' })
  provider?: string;

  @ApiPropertyOptional({ example: '42', pattern: '^[1-9]\\d{0,18}$' })
  @IsOptional()
  @IsBigintId('userId')
  userId?: string;

  @ApiPropertyOptional({ example: 'alice@example.com', maxLength: 255 })
  @IsOptional()
  @IsEmail({}, { message: 'email must be a valid email address' })
  email?: string;

  @ApiPropertyOptional({ description: 'An order number or gateway trade number, or its beginning', maxLength: 100 })
  @IsOptional()
  @Trim()
  @MaxLength(100)
  @IsString()
  q?: string;

  @DateQuery('createdFrom', 'Created at or after')
  createdFrom?: Date;
  @DateQuery('createdTo', 'Created before')
  createdTo?: Date;
  @DateQuery('paidFrom', 'Paid at or after')
  paidFrom?: Date;
  @DateQuery('paidTo', 'Paid before')
  paidTo?: Date;

  @ApiPropertyOptional({ description: 'true: only orders needing an admin (a second payment arrived, or a refund is stuck)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'attention must be true or false' })
  attention?: boolean;
}

/** The order list's filters without paging: what a CSV export of the list takes. */
export class AdminOrderExportQueryDto extends OmitType(AdminOrderQueryDto, ['page', 'pageSize'] as const) {}

export class AdminOrderDto extends OrderDto {
  @ApiProperty({ example: '42' }) userId: string;
  @ApiProperty({ example: 'alice' }) username: string;
  @ApiProperty({ example: 'alice@example.com', nullable: true, type: String }) userEmail: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The gateway’s transaction id' }) tradeNo: string | null;
  @ApiProperty({ nullable: true, type: String }) clientIp: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) callbackAt: string | null;
  @ApiProperty({ description: 'A second payment arrived for it, or its refund is stuck' }) needsAttention: boolean;
}

export class AdminOrderPageDto extends PageDto {
  @ApiProperty({ type: [AdminOrderDto] }) items: AdminOrderDto[];
}

export class WebhookEventDto {
  @ApiProperty({ example: 'evt_1Nx…' }) eventId: string;
  @ApiProperty({
    example: 'credited',
    description:
      'credited, failed, expired, duplicate_payment (a second payment, not credited: refund it at the gateway), underpaid / overpaid ' +
      '(a payment of another amount than asked, not credited: confirm the order by hand or refund it), unmatched_payment (money for no ' +
      'order), refunded, refund_confirmed, partial_refund, no_change',
  })
  outcome: string;
  @ApiProperty({ nullable: true, type: String, description: 'The callback as received, for events an admin must act on' }) payload: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When an admin marked this payment as dealt with' })
  resolvedAt: string | null;
  @ApiProperty({ nullable: true, type: String }) resolvedBy: string | null;
}

export class RefundDto {
  @ApiProperty({ example: '7' }) id: string;
  @ApiProperty({ enum: RefundMethod, enumName: 'RefundMethod', description: 'gateway: through its API; manual: recorded by an admin; external: reported by the gateway' })
  method: RefundMethod;
  @ApiProperty({
    enum: RefundStatus,
    enumName: 'RefundStatus',
    description:
      'pending: the user is debited, the gateway has not confirmed; succeeded; reversed: the gateway refused, everything was given back; ' +
      'failed: the gateway confirmed it, then reported it failed: everything was given back and the order is paid again',
  })
  status: RefundStatus;
  @ApiProperty({ example: '20.00' }) amountCny: string;
  @ApiProperty({ example: '3.61111111', description: 'Taken from the user’s balance' }) debitedUsd: string;
  @ApiProperty({ example: '0.00000000', description: 'Already spent by the user, not taken back' }) shortfallUsd: string;
  @ApiProperty({ description: 'Whether the invite reward this payment earned was reversed' }) rewardReversed: boolean;
  @ApiProperty({ example: '10.00000000', description: 'What the reversal took from the referrer' }) rewardTakenUsd: string;
  @ApiProperty({ example: 'admin@example.com' }) operator: string;
  @ApiProperty({ nullable: true, type: String }) remark: string | null;
  @ApiProperty({ example: 1, description: 'Gateway calls made' }) attempts: number;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'The gateway’s last word when it refused, failed the refund (its failure reason) or could not be reached',
  })
  gatewayReason: string | null;
  @ApiProperty({ nullable: true, type: String, example: 're_3Nx…', description: 'The gateway’s id of the refund, once it gave one' })
  gatewayRefundId: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    example: 'pending',
    description: 'What the gateway last said of the refund, in its own words (for example pending, requires_action, succeeded, failed, canceled)',
  })
  gatewayStatus: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) completedAt: string | null;
}

export class AdminOrderDetailDto {
  @ApiProperty({ type: AdminOrderDto }) order: AdminOrderDto;
  @ApiProperty({ nullable: true, type: String, description: 'The gateway’s callback as received (signature removed)' })
  callbackData: string | null;
  @ApiProperty({ type: [RechargeRecordDto], description: 'The ledger rows this order caused' }) ledger: RechargeRecordDto[];
  @ApiProperty({ type: [WebhookEventDto] }) events: WebhookEventDto[];
  @ApiProperty({ type: [RefundDto], description: 'Refund attempts, oldest first' }) refunds: RefundDto[];
  @ApiProperty({ description: 'false: the gateway has no refund API; a refund is recorded as made outside' }) refundsByApi: boolean;
}

class RemarkDto {
  @ApiProperty({ example: 'Paid per bank statement 2026-11-23', maxLength: REMARK_MAX_LENGTH })
  @Trim()
  @MaxLength(REMARK_MAX_LENGTH)
  @IsNotEmpty({ message: 'remark is required' })
  @IsString()
  remark: string;
}

export class ResolveDuplicatesDto extends RemarkDto {}

export class ResolveRefundDto extends RemarkDto {
  @ApiProperty({ enum: ['refunded', 'not_refunded'], description: 'What the gateway’s console shows' })
  @IsIn(['refunded', 'not_refunded'], { message: 'outcome must be refunded or not_refunded' })
  outcome: 'refunded' | 'not_refunded';
}

export class ConfirmOrderDto extends RemarkDto {
  @ApiPropertyOptional({ default: false, description: 'Grant the new-user bonus even though the payment came after the bonus window' })
  @IsOptional()
  @IsBoolean({ message: 'grantBonus must be true or false' })
  grantBonus?: boolean;
}

export class RefundOrderDto extends RemarkDto {
  @ApiPropertyOptional({ default: false, description: 'Refund even when the user has spent part of it (takes what is left)' })
  @IsOptional()
  @IsBoolean({ message: 'force must be true or false' })
  force?: boolean;
}

export class RefundResultDto {
  @ApiProperty({ type: AdminOrderDto }) order: AdminOrderDto;
  @ApiProperty({ example: '3.61111111' }) debitedUsd: string;
  @ApiProperty({ example: '0.00000000', description: 'Already spent, not taken back' }) shortfallUsd: string;
  @ApiProperty({ type: RefundDto }) refund: RefundDto;
}

class PaidTotalsDto {
  @ApiProperty({ example: 12 }) orders: number;
  @ApiProperty({ example: '240.00' }) amountCny: string;
  @ApiProperty({ example: '33.33333333' }) amountUsd: string;
  @ApiProperty({ example: '2.50000000' }) bonusUsd: string;
}

export class WindowTotalsDto extends PaidTotalsDto {
  @ApiProperty({ enum: ['today', '7d', '30d'] }) window: string;
  @ApiProperty({ description: 'A gateway name (GET /api/admin/payment/providers)' }) provider: string;
}

export class DailyTotalsDto extends PaidTotalsDto {
  @ApiProperty({ example: '2026-11-23' }) day: string;
}

export class StatusCountDto {
  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus' }) status: string;
  @ApiProperty({ example: 3 }) count: number;
}

export class PromotionTotalsDto {
  @ApiProperty({ example: 4, description: 'Bonuses granted' }) granted: number;
  @ApiProperty({ example: '3.33333333' }) bonusUsd: string;
}

export class ReferralTotalsDto {
  @ApiProperty({ example: 9 }) invites: number;
  @ApiProperty({ example: 2, description: 'Invites whose referrer was rewarded' }) rewarded: number;
  @ApiProperty({ example: '20.00000000' }) rewardUsd: string;
}

export class PaymentStatsDto {
  @ApiProperty({ type: [WindowTotalsDto], description: 'Paid totals today (UTC), in 7 and in 30 days, by provider' })
  windows: WindowTotalsDto[];
  @ApiProperty({ type: [DailyTotalsDto], description: 'Paid totals per UTC day, last 30 days' }) daily: DailyTotalsDto[];
  @ApiProperty({ type: [StatusCountDto] }) byStatus: StatusCountDto[];
  @ApiProperty({ type: PromotionTotalsDto }) promotion: PromotionTotalsDto;
  @ApiProperty({ type: ReferralTotalsDto }) referral: ReferralTotalsDto;
}

/** A gateway as an admin sees it: enabled or not (orders of a gateway switched off are still served). */
export class AdminProviderDto extends ProviderDto {
  @ApiProperty({ description: 'Takes new orders' }) enabled: boolean;
  @ApiProperty({ description: 'Has the credentials to verify callbacks and query or refund existing orders' }) configured: boolean;
  @ApiProperty({ description: 'Refunds go through the gateway; otherwise an admin records a refund made outside' }) refundsByApi: boolean;
}

export class UnmatchedPaymentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'true: only those dealt with; false: only open ones; absent: all', enum: ['true', 'false'] })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean({ message: 'resolved must be true or false' })
  resolved?: boolean;
}

/** A payment a gateway reported that matches no order: never credited; an admin refunds it or credits the payer by hand. */
export class UnmatchedPaymentDto extends WebhookEventDto {
  @ApiProperty({ description: 'The gateway that reported it' }) provider: string;
}

export class UnmatchedPaymentPageDto extends PageDto {
  @ApiProperty({ type: [UnmatchedPaymentDto] }) items: UnmatchedPaymentDto[];
}

export class ResolveUnmatchedPaymentDto extends RemarkDto {}
