import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res, StreamableFile } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RechargeRecordDto } from '../ledger/dto/recharge-record.dto';
import { PromotionsService } from '../promotions/promotions.service';
import { ReferralsService } from '../referrals/referrals.service';
import { OrderDto, ProviderDto } from '../payments/dto/order.dto';
import { OrderReviewService } from '../payments/order-review.service';
import { PaymentOrder } from '../payments/payment-order.entity';
import { PaymentRefund, RefundStatus } from '../payments/payment-refund.entity';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminExportsService } from './admin-exports.service';
import { AdminPaymentsService } from './admin-payments.service';
import {
  AdminOrderDetailDto,
  AdminOrderDto,
  AdminOrderExportQueryDto,
  AdminOrderPageDto,
  AdminOrderQueryDto,
  ConfirmOrderDto,
  PaymentStatsDto,
  RefundDto,
  RefundOrderDto,
  RefundResultDto,
  WebhookEventDto,
  ResolveDuplicatesDto,
  ResolveRefundDto,
  ResolveUnmatchedPaymentDto,
  AdminProviderDto,
  UnmatchedPaymentDto,
  UnmatchedPaymentPageDto,
  UnmatchedPaymentQueryDto,
} from './dto/admin-payments.dto';
import type { OrderEvent } from '../payments/order-review.service';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';

function toAdminOrder(order: PaymentOrder, userEmail: string | null, needsAttention: boolean): AdminOrderDto {
  return {
    ...OrderDto.from(order),
    userId: order.userId,
    username: order.username,
    userEmail,
    tradeNo: order.tradeNo,
    clientIp: order.clientIp,
    callbackAt: order.callbackAt?.toISOString() ?? null,
    needsAttention,
  };
}

function toEvent(e: OrderEvent): WebhookEventDto {
  return {
    eventId: e.eventId,
    outcome: e.outcome,
    payload: e.payload,
    createdAt: e.createdAt.toISOString(),
    resolvedAt: e.resolvedAt?.toISOString() ?? null,
    resolvedBy: e.resolvedBy,
  };
}

function toRefund(refund: PaymentRefund): RefundDto {
  return {
    id: refund.id,
    method: refund.method,
    status: refund.status,
    amountCny: refund.amountCny,
    debitedUsd: refund.debitedUsd,
    shortfallUsd: refund.shortfallUsd,
    rewardReversed: refund.rewardReversed,
    rewardTakenUsd: refund.rewardTakenUsd,
    operator: refund.operator,
    remark: refund.remark,
    attempts: refund.attempts,
    gatewayReason: refund.gatewayReason,
    createdAt: refund.createdAt.toISOString(),
    completedAt: refund.completedAt?.toISOString() ?? null,
  };
}

/** Admin review of orders: search, detail, confirm, refund, totals. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/payment')
export class AdminPaymentsController {
  constructor(
    private readonly payments: AdminPaymentsService,
    private readonly exports: AdminExportsService,
    private readonly review: OrderReviewService,
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
  ) {}

  @Get('orders')
  @ApiOperation({
    summary: 'Orders, newest first, filtered by status, provider, user, order/trade number, dates, and attention',
    description: 'attention=true lists orders a second payment arrived for, and refunds stuck for more than 10 minutes.',
  })
  @ApiOkResponse({ type: AdminOrderPageDto })
  async list(@Query() query: AdminOrderQueryDto): Promise<AdminOrderPageDto> {
    const page = await this.review.list({ ...query, search: query.q }, query);
    return { ...page, items: page.items.map((o) => toAdminOrder(o, o.userEmail, o.needsAttention)) };
  }

  @Get('orders.csv')
  @ApiOperation({
    summary: 'The filtered order list as a CSV download (audited)',
    description:
      'Takes the list’s filters (without paging) and streams every matching order, newest first: UTF-8 with a byte-order mark, ' +
      'a header row, amounts as plain decimals, times in UTC. Text cells that a spreadsheet would read as a formula ' +
      '(starting with = + - @) begin with an apostrophe.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The CSV file', schema: { type: 'string' } })
  exportOrders(@CurrentUser() admin: AuthenticatedUser, @Query() query: AdminOrderExportQueryDto): Promise<StreamableFile> {
    const { q, ...filter } = query;
    return this.exports.orders(admin, { ...filter, search: q });
  }

  @Get('orders/:orderNo')
  @ApiOperation({ summary: 'One order with its raw gateway callback, the gateway events seen, its refunds and its ledger rows' })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiNotFoundResponse({ description: 'No such order' })
  async detail(@Param('orderNo') orderNo: string): Promise<AdminOrderDetailDto> {
    const detail = await this.review.detail(orderNo);
    return {
      order: toAdminOrder(detail.order, detail.userEmail, detail.needsAttention),
      refundsByApi: detail.refundsByApi,
      callbackData: detail.callbackData,
      ledger: detail.ledger.map(RechargeRecordDto.from),
      events: detail.events.map(toEvent),
      refunds: detail.refunds.map(toRefund),
    };
  }

  @Idempotent()
  @Post('orders/:orderNo/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark an unpaid order paid by hand, through the webhook’s code path (audited)',
    description:
      'Any unpaid order (pending, expired, cancelled, failed) can be confirmed. The new-user bonus follows the same rule as a ' +
      'gateway payment (only when the payment came in time) unless grantBonus is true.',
  })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiConflictResponse({ description: 'The order’s payment already stands (paid, refunding or refunded)' })
  async confirm(@CurrentUser() admin: AuthenticatedUser, @Param('orderNo') orderNo: string, @Body() body: ConfirmOrderDto) {
    await this.payments.confirm(admin, orderNo, body.remark, body.grantBonus ?? false);
    return this.detail(orderNo);
  }

  @Idempotent()
  @Post('orders/:orderNo/refund')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refund a paid order (audited)',
    description:
      'The user is debited what the order credited (payment and bonus) and the invite reward it earned is reversed, then the ' +
      'gateway is asked to refund. 200: refunded. 202: the gateway has not confirmed yet; the order stays refunding and is ' +
      'finished by the reconcile job. For a gateway without a refund API (GET /api/admin/payment/providers: refundsByApi false) the refund is ' +
      'recorded as made outside, with no gateway call.',
  })
  @ApiOkResponse({ type: RefundResultDto, description: 'Refunded' })
  @ApiAcceptedResponse({ type: RefundResultDto, description: 'Refunding: the gateway’s answer is not known yet' })
  @ApiConflictResponse({ description: 'Not paid, or the balance no longer covers it (use force)' })
  @ApiBadGatewayResponse({ description: 'The gateway refused; the order is paid again and everything taken was given back' })
  async refund(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('orderNo') orderNo: string,
    @Body() body: RefundOrderDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<RefundResultDto> {
    const result = await this.payments.refund(admin, orderNo, body.remark, body.force ?? false);
    if (result.refund.status === RefundStatus.Pending) reply.status(HttpStatus.ACCEPTED);
    const detail = await this.detail(orderNo);
    return {
      order: detail.order,
      debitedUsd: result.refund.debitedUsd,
      shortfallUsd: result.refund.shortfallUsd,
      refund: toRefund(result.refund),
    };
  }

  @Idempotent()
  @Post('orders/:orderNo/refund/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Settle a refund the gateway has not confirmed, after checking it in the gateway’s console (audited)',
    description:
      'For an order left refunding (the gateway did not answer, or refused a resent refund). refunded: the refund is ' +
      'complete. not_refunded: it is reversed as a refusal would be (the user and the referrer get back what was taken).',
  })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiNotFoundResponse({ description: 'No such order' })
  @ApiConflictResponse({ description: 'The order has no refund under way' })
  async resolveRefund(@CurrentUser() admin: AuthenticatedUser, @Param('orderNo') orderNo: string, @Body() body: ResolveRefundDto) {
    await this.payments.resolveRefund(admin, orderNo, body.outcome, body.remark);
    return this.detail(orderNo);
  }

  @Idempotent()
  @Post('orders/:orderNo/duplicate-payments/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark the order’s second payments and payments of another amount as dealt with (audited)',
    description:
      'A second payment, or one of another amount than the order asked for (underpaid, overpaid), is never credited; once an admin has ' +
      'refunded it in the gateway’s console (or confirmed the order by hand, which does this itself), this clears the attention flag.',
  })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiNotFoundResponse({ description: 'No such order' })
  @ApiConflictResponse({ description: 'The order has no unresolved second payment or payment of another amount' })
  async resolveDuplicates(@CurrentUser() admin: AuthenticatedUser, @Param('orderNo') orderNo: string, @Body() body: ResolveDuplicatesDto) {
    await this.payments.resolveDuplicatePayments(admin, orderNo, body.remark);
    return this.detail(orderNo);
  }

  @Get('providers')
  @ApiOperation({ summary: 'Every registered gateway, enabled or not, with what admins need to know of it' })
  @ApiOkResponse({ type: [AdminProviderDto] })
  providers(): AdminProviderDto[] {
    return this.review.gateways().map((p) => ({
      ...ProviderDto.from(p),
      enabled: p.enabled,
      configured: p.configured,
      refundsByApi: p.refundsByApi,
    }));
  }

  @Get('unmatched-payments')
  @ApiOperation({
    summary: 'Payments gateways reported that match no order (a transfer of an amount no order asked for), newest first',
    description: 'Never credited. Refund them, or credit the payer by a balance adjustment, then resolve them here.',
  })
  @ApiOkResponse({ type: UnmatchedPaymentPageDto })
  async unmatchedPayments(@Query() query: UnmatchedPaymentQueryDto): Promise<UnmatchedPaymentPageDto> {
    const page = await this.review.unmatchedPayments(query, query.resolved);
    return { ...page, items: page.items.map((e) => ({ ...toEvent(e), provider: e.provider })) };
  }

  @Idempotent()
  @Post('unmatched-payments/:provider/:eventId/resolve')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark an unmatched payment as dealt with (audited, remark required)' })
  @ApiOkResponse({ type: UnmatchedPaymentDto })
  @ApiNotFoundResponse({ description: 'No such open unmatched payment' })
  async resolveUnmatched(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('provider') provider: string,
    @Param('eventId') eventId: string,
    @Body() body: ResolveUnmatchedPaymentDto,
  ): Promise<UnmatchedPaymentDto> {
    const event = await this.payments.resolveUnmatchedPayment(admin, provider, eventId, body.remark);
    return { ...toEvent(event), provider: event.provider };
  }

  @Get('stats')
  @ApiOperation({ summary: 'Paid totals today / 7 d / 30 d by provider and by day, orders by status, promotion and referral totals' })
  @ApiOkResponse({ type: PaymentStatsDto })
  async stats(): Promise<PaymentStatsDto> {
    const [orders, promotion, referral] = await Promise.all([this.review.stats(), this.promotions.stats(), this.referrals.totals()]);
    return { ...orders, promotion: { granted: promotion.grantedCount, bonusUsd: promotion.totalBonusUsd }, referral };
  }
}
