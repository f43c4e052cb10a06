import { Body, Controller, Get, HttpCode, Param, Post, Query, Req } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { AppConfig } from '../common/config/app-config';
import { convertCnyToUsd } from '../common/money/money';
import { CampaignsService } from '../campaigns/campaigns.service';
import { OffersDto, OffersQueryDto } from '../campaigns/dto/campaign.dto';
import { PromotionsService } from '../promotions/promotions.service';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { CreateOrderDto, OrderDto, OrderPageDto, OrderQueryDto, PaymentConfigDto, ProviderDto } from './dto/order.dto';
import { OrdersService } from './orders.service';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { ClaimedKey, Idempotent } from '../common/idempotency/idempotency.interceptor';
import type { IdempotencyClaim } from '../common/idempotency/idempotency.store';

@ApiTags('payment')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('payment')
export class OrdersController {
  constructor(
    private readonly orders: OrdersService,
    private readonly providers: PaymentProviderRegistry,
    private readonly promotions: PromotionsService,
    private readonly campaigns: CampaignsService,
    private readonly config: AppConfig,
  ) {}

  @Get('config')
  @ApiOperation({ summary: 'What the recharge page needs: gateways and methods, packages, limits, rates, the bonus preview' })
  @ApiOkResponse({ type: PaymentConfigDto })
  async paymentConfig(@CurrentUser() user: AuthenticatedUser): Promise<PaymentConfigDto> {
    const settings = this.config.payment;
    const [preview, newUserBonus] = await Promise.all([this.promotions.preview(user.id), this.campaigns.newUserBonusRunning()]);
    return {
      enabled: settings.enabled,
      providers: this.enabledProviders(),
      packages: settings.packages.map((p) => ({
        amountCny: p.amountCny,
        amountUsd: convertCnyToUsd(p.amountCny, settings.discountRate, settings.exchangeRate),
        popular: p.popular,
      })),
      minAmountCny: settings.minAmount,
      maxAmountCny: settings.maxAmount,
      exchangeRate: settings.exchangeRate,
      discountRate: settings.discountRate,
      orderExpireMinutes: settings.orderExpireMinutes,
      promotion: preview && newUserBonus
        ? { tier: preview.tier, percent: preview.percent, endsAt: preview.endsAt.toISOString(), minAmountCny: this.config.promotion.minAmount }
        : null,
    };
  }

  @Get('offers')
  @ApiOperation({
    summary: 'The campaigns an order of this amount would get now, with their bonuses (what order creation would fix on the order)',
  })
  @ApiOkResponse({ type: OffersDto })
  @ApiBadRequestResponse({ description: 'amountCny is not a CNY amount within payment.min_amount … max_amount' })
  async offers(@CurrentUser() user: AuthenticatedUser, @Query() query: OffersQueryDto): Promise<OffersDto> {
    const offers = await this.orders.offers(user.id, query.amountCny);
    return { ...offers, campaigns: offers.campaigns.map(({ id, name, bonusUsd }) => ({ id, name, bonusUsd })) };
  }

  @Get('providers')
  @ApiOperation({ summary: 'The gateways a user can pay with now: name, labels per language, methods, and how the payer pays' })
  @ApiOkResponse({ type: [ProviderDto] })
  providerList(): ProviderDto[] {
    return this.enabledProviders();
  }

  private enabledProviders(): ProviderDto[] {
    return this.config.payment.enabled ? this.providers.enabled().map(ProviderDto.from) : [];
  }

  @Idempotent()
  @Post('orders')
  @ApiOperation({ summary: 'Create a top-up order and get where to pay' })
  @ApiCreatedResponse({ type: OrderDto })
  @ApiBadRequestResponse({ description: 'Amount outside the limits, or a provider/method not offered' })
  @ApiTooManyRequestsResponse({ description: 'More than payment.max_orders_per_minute orders in the last minute; see Retry-After' })
  @ApiConflictResponse({ description: 'Too many unpaid orders' })
  @ApiBadGatewayResponse({ description: 'The gateway could not start the payment; the order is failed and nothing was charged' })
  async create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateOrderDto,
    @Req() request: FastifyRequest,
    @ClaimedKey() claim: IdempotencyClaim | null,
  ): Promise<OrderDto> {
    const order = await this.orders.create(
      {
        userId: user.id,
        username: user.username,
        amountCny: body.amountCny,
        provider: body.provider,
        method: body.method,
        display: body.display ?? 'redirect',
        clientIp: request.ip ?? null,
        userAgent: typeof request.headers['user-agent'] === 'string' ? request.headers['user-agent'] : null,
      },
      claim,
    );
    return OrderDto.from(order);
  }

  @Get('orders')
  @ApiOperation({ summary: 'The signed-in user’s orders, newest first' })
  @ApiOkResponse({ type: OrderPageDto })
  async list(@CurrentUser() user: AuthenticatedUser, @Query() query: OrderQueryDto): Promise<OrderPageDto> {
    const page = await this.orders.listOwn(user.id, query.status, query);
    return { ...page, items: page.items.map(OrderDto.from) };
  }

  @Get('orders/:orderNo')
  @ApiOperation({ summary: 'One of the signed-in user’s orders (the result page polls it)' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order of yours' })
  async detail(@CurrentUser() user: AuthenticatedUser, @Param('orderNo') orderNo: string): Promise<OrderDto> {
    return OrderDto.from(await this.orders.findOwn(user.id, orderNo));
  }

  @Post('orders/:orderNo/cancel')
  @HttpCode(200)
  @ApiOperation({ summary: 'Give up an unpaid order (pending → cancelled; or paid, if the gateway says it was paid meanwhile)' })
  @ApiOkResponse({ type: OrderDto })
  @ApiNotFoundResponse({ description: 'No such order of yours' })
  @ApiConflictResponse({ description: 'The order is no longer pending' })
  async cancel(@CurrentUser() user: AuthenticatedUser, @Param('orderNo') orderNo: string): Promise<OrderDto> {
    return OrderDto.from(await this.orders.cancelOwn(user.id, orderNo));
  }
}
