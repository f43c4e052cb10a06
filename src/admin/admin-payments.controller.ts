import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { RechargeRecordDto } from '../ledger/dto/recharge-record.dto';
import { OrderDto } from '../payments/dto/order.dto';
import { PaymentOrder } from '../payments/payment-order.entity';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminPaymentsService } from './admin-payments.service';
import {
  AdminOrderDetailDto,
  AdminOrderDto,
  AdminOrderPageDto,
  AdminOrderQueryDto,
  ConfirmOrderDto,
  PaymentStatsDto,
  RefundOrderDto,
  RefundResultDto,
} from './dto/admin-payments.dto';

function toAdminOrder(order: PaymentOrder, userEmail: string | null): AdminOrderDto {
  return {
    ...OrderDto.from(order),
    userId: order.userId,
    username: order.username,
    userEmail,
    tradeNo: order.tradeNo,
    clientIp: order.clientIp,
    callbackAt: order.callbackAt?.toISOString() ?? null,
  };
}

/** Admin review of orders (SPEC §5.7). */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/payment')
export class AdminPaymentsController {
  constructor(private readonly payments: AdminPaymentsService) {}

  @Get('orders')
  @ApiOperation({ summary: 'Orders, newest first, filtered by status, provider, user, order/trade number and dates' })
  @ApiOkResponse({ type: AdminOrderPageDto })
  async list(@Query() query: AdminOrderQueryDto): Promise<AdminOrderPageDto> {
    const page = await this.payments.list({ ...query, search: query.q }, query);
    return { ...page, items: page.items.map((o) => toAdminOrder(o, o.userEmail)) };
  }

  @Get('orders/:orderNo')
  @ApiOperation({ summary: 'One order with its raw gateway callback, its ledger rows and the gateway events seen' })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiNotFoundResponse({ description: 'No such order' })
  async detail(@Param('orderNo') orderNo: string): Promise<AdminOrderDetailDto> {
    const detail = await this.payments.detail(orderNo);
    return {
      order: toAdminOrder(detail.order, detail.userEmail),
      callbackData: detail.callbackData,
      ledger: detail.ledger.map(RechargeRecordDto.from),
      events: detail.events.map((e) => ({ ...e, createdAt: e.createdAt.toISOString() })),
    };
  }

  @Post('orders/:orderNo/confirm')
  @HttpCode(200)
  @ApiOperation({ summary: 'Mark a pending or expired order paid by hand, through the webhook’s code path (audited)' })
  @ApiOkResponse({ type: AdminOrderDetailDto })
  @ApiConflictResponse({ description: 'The order is not pending or expired' })
  async confirm(@CurrentUser() admin: AuthenticatedUser, @Param('orderNo') orderNo: string, @Body() body: ConfirmOrderDto) {
    await this.payments.confirm(admin, orderNo, body.remark);
    return this.detail(orderNo);
  }

  @Post('orders/:orderNo/refund')
  @HttpCode(200)
  @ApiOperation({ summary: 'Refund a paid order at the gateway and debit the user (ledger type refund, audited)' })
  @ApiOkResponse({ type: RefundResultDto })
  @ApiConflictResponse({ description: 'Not paid, or the balance no longer covers it (use force)' })
  @ApiBadGatewayResponse({ description: 'The gateway did not refund; nothing was changed' })
  async refund(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('orderNo') orderNo: string,
    @Body() body: RefundOrderDto,
  ): Promise<RefundResultDto> {
    const result = await this.payments.refund(admin, orderNo, body.remark, body.force ?? false);
    const detail = await this.payments.detail(orderNo);
    return { order: toAdminOrder(result.order, detail.userEmail), debitedUsd: result.debitedUsd, shortfallUsd: result.shortfallUsd };
  }

  @Get('stats')
  @ApiOperation({ summary: 'Paid totals today / 7 d / 30 d by provider and by day, orders by status, promotion and referral totals' })
  @ApiOkResponse({ type: PaymentStatsDto })
  stats(): Promise<PaymentStatsDto> {
    return this.payments.stats();
  }
}
