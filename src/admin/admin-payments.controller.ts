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
import { PromotionsService } from '../promotions/promotions.service';
import { ReferralsService } from '../referrals/referrals.service';
import { ProviderDto } from '../payments/dto/order.dto';
import { OrderReviewService } from '../payments/order-review.service';
import { RefundStatus } from '../payments/payment-refund.entity';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminExportsService } from './admin-exports.service';
import { AdminPaymentsService } from './admin-payments.service';
import {
  AdminOrderDetailDto,
  AdminOrderExportQueryDto,
  AdminOrderPageDto,
  AdminOrderQueryDto,
  ConfirmOrderDto,
  PaymentStatsDto,
  RefundOrderDto,
  RefundResultDto,
  ResolveDuplicatesDto,
  ResolveRefundDto,
  ResolveUnmatchedPaymentDto,
  AdminProviderDto,
  UnmatchedPaymentDto,
  UnmatchedPaymentPageDto,
  UnmatchedPaymentQueryDto,
} from './dto/admin-payments.dto';
import { ClaimedKey, Idempotent } from '../common/idempotency/idempotency.interceptor';
import type { IdempotencyClaim } from '../common/idempotency/idempotency.store';
import { toAdminOrder, toAdminOrderDetail, toRefundResult, toUnmatchedPayment } from './admin-order-detail';

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
    description:
      'attention=true lists orders a second payment or one of another amount arrived for, orders whose refund the gateway failed after ' +
      'confirming it (paid again), and refunds stuck for more than 10 minutes.',
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
    return toAdminOrderDetail(await this.review.detail(orderNo));
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
  async confirm(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('orderNo') orderNo: string,
    @Body() body: ConfirmOrderDto,
    @ClaimedKey() claim: IdempotencyClaim | null,
  ) {
    await this.payments.confirm(admin, orderNo, body.remark, body.grantBonus ?? false, claim);
    return this.detail(orderNo);
  }

  @Idempotent()
  @Post('orders/:orderNo/refund')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Refund a paid order (audited)',
    description:
      'The user is debited what the order credited (payment and bonus) and the invite reward it earned is reversed, then the ' +
      'gateway is asked to refund. 200: refunded. 202: the gateway has not confirmed yet (no answer, or the gateway answered that the refund is ' +
      'under way); the order stays refunding and is finished by the gateway’s news or the reconcile job. For a gateway without a refund API (GET /api/admin/payment/providers: refundsByApi false) the refund is ' +
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
    @ClaimedKey() claim: IdempotencyClaim | null,
  ): Promise<RefundResultDto> {
    const result = await this.payments.refund(admin, orderNo, body.remark, body.force ?? false, claim);
    if (result.refund.status === RefundStatus.Pending) reply.status(HttpStatus.ACCEPTED);
    return toRefundResult(await this.review.detail(orderNo), result.refund);
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
  async resolveRefund(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('orderNo') orderNo: string,
    @Body() body: ResolveRefundDto,
    @ClaimedKey() claim: IdempotencyClaim | null,
  ) {
    await this.payments.resolveRefund(admin, orderNo, body.outcome, body.remark, claim);
    return this.detail(orderNo);
  }

  @Idempotent()
  @Post('orders/:orderNo/duplicate-payments/resolve')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mark the order’s second payments, payments of another amount and failed refunds as dealt with (audited)',
    description:
      'A second payment, or one of another amount than the order asked for (underpaid, overpaid), is never credited; once an admin has ' +
      'refunded it in the gateway’s console (or confirmed the order by hand, which does this itself), this clears the attention flag. ' +
      'A refund the gateway failed after confirming it (refund_failed: the order is paid again, the debit given back) is cleared the same ' +
      'way once an admin has dealt with it (refunded again, or settled with the customer).',
  })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiNotFoundResponse({ description: 'No such order' })
  @ApiConflictResponse({ description: 'The order has no unresolved second payment or payment of another amount' })
  async resolveDuplicates(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('orderNo') orderNo: string,
    @Body() body: ResolveDuplicatesDto,
    @ClaimedKey() claim: IdempotencyClaim | null,
  ) {
    await this.payments.resolveDuplicatePayments(admin, orderNo, body.remark, claim);
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
    return { ...page, items: page.items.map(toUnmatchedPayment) };
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
    @ClaimedKey() claim: IdempotencyClaim | null,
  ): Promise<UnmatchedPaymentDto> {
    return this.payments.resolveUnmatchedPayment(admin, provider, eventId, body.remark, claim);
  }

  @Get('stats')
  @ApiOperation({ summary: 'Paid totals today / 7 d / 30 d by provider and by day, orders by status, promotion and referral totals' })
  @ApiOkResponse({ type: PaymentStatsDto })
  async stats(): Promise<PaymentStatsDto> {
    const [orders, promotion, referral] = await Promise.all([this.review.stats(), this.promotions.stats(), this.referrals.totals()]);
    return { ...orders, promotion: { granted: promotion.grantedCount, bonusUsd: promotion.totalBonusUsd }, referral };
  }
}
