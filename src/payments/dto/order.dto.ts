import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { CampaignOfferDto } from '../../campaigns/dto/campaign.dto';
import { FastBody } from '../../common/http/body-validation.pipe';
import { PageDto, PageQueryDto } from '../../common/http/page.dto';
import { IsDecimalString } from '../../common/money/is-decimal-string.validator';
import { OrderStatus, PaymentOrder } from '../payment-order.entity';
import { PaymentDisplay, PaymentProvider } from '../payment-provider';
import { PROVIDER_NAME_PATTERN } from '../payment-provider.registry';

const METHOD_PATTERN = /^[a-z][a-z0-9_]{0,49}$/;

// The fast path of the hottest user request; anything it does not accept is judged by the decorators below.
@FastBody({
  type: 'object',
  properties: {
    // At most 2 decimals with a non-zero digit (so ≥ 0.01), and far below the column's limit.
    amountCny: { type: 'string', maxLength: 18, pattern: '^(?=[\\d.]*[1-9])\\d{1,15}(\\.\\d{1,2})?$' },
    provider: { type: 'string', pattern: PROVIDER_NAME_PATTERN.source },
    method: { type: 'string', pattern: METHOD_PATTERN.source },
    display: { type: 'string', enum: ['redirect', 'qrcode'] },
  },
  required: ['amountCny', 'provider', 'method'],
  additionalProperties: false,
})
export class CreateOrderDto {
  @ApiProperty({
    example: '20.00',
    description: 'CNY, a decimal string with at most 2 decimals, within payment.min_amount … max_amount',
    pattern: '^\\d+(\\.\\d{1,2})?$',
    maxLength: 64,
  })
  // Checked against the configured limits by OrdersController (the DTO cannot see config).
  @IsDecimalString({ scale: 2, min: '0.01' })
  amountCny: string;

  @ApiProperty({ description: 'A gateway name from GET /api/payment/providers', pattern: PROVIDER_NAME_PATTERN.source, maxLength: 20 })
  @IsString({ message: 'provider must be a gateway name from GET /api/payment/providers' })
  @MaxLength(20, { message: 'provider must be a gateway name from GET /api/payment/providers' })
  @Matches(PROVIDER_NAME_PATTERN, { message: 'provider must be a gateway name from GET /api/payment/providers' })
  provider: string;

  @ApiProperty({ example: 'alipay', description: 'One of the gateway’s methods (GET /api/payment/providers)', pattern: METHOD_PATTERN.source, maxLength: 50 })
  @IsString({ message: 'method must be one of the gateway’s methods from GET /api/payment/providers' })
  @MaxLength(50, { message: 'method must be one of the gateway’s methods from GET /api/payment/providers' })
  @Matches(METHOD_PATTERN, { message: 'method must be one of the gateway’s methods from GET /api/payment/providers' })
  method: string;

  @ApiPropertyOptional({
    enum: ['redirect', 'qrcode'],
    default: 'redirect',
    description: 'qrcode: paymentUrl is QR code content instead of a page to open, where the gateway offers it (offersQrCode)',
  })
  @IsOptional()
  @IsIn(['redirect', 'qrcode'], { message: 'display must be redirect or qrcode' })
  display?: 'redirect' | 'qrcode';
}

/** A payment order in an answer. */
export class OrderDto {
  @ApiProperty({ example: 'PO20261123010203A1B2C3D4E5F60718' }) orderNo: string;
  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus' }) status: OrderStatus;
  @ApiProperty({ description: 'The gateway (GET /api/payment/providers)' }) provider: string;
  @ApiProperty({ example: 'alipay', nullable: true, type: String }) paymentMethod: string | null;
  @ApiProperty({ example: '20.00' }) amountCny: string;
  @ApiProperty({ example: '2.77777778' }) amountUsd: string;
  @ApiProperty({ example: '0.83333333', description: 'The campaigns’ bonuses granted at payment' }) bonusUsd: string;
  @ApiProperty({ example: '3.61111111', description: 'amountUsd + bonusUsd' }) totalUsd: string;
  @ApiProperty({ example: '7.2000', description: 'CNY per USD used for this order' }) exchangeRate: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The bonus tier previewed at creation (from 0, the first tier)' }) promotionTier: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Where to pay, or QR code content' }) paymentUrl: string | null;
  @ApiProperty({ format: 'date-time' }) expireAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) paidAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ example: 'CNY', description: 'The currency the payer pays in: CNY, or the gateway’s own (USDT)' }) payCurrency: string;
  @ApiProperty({ example: '20.00', description: 'Exactly what the payer must pay, in payCurrency (USDT: with a unique suffix of up to 3 decimals)' })
  payAmount: string;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'Where to send payAmount, for gateways paid by a transfer to an address' })
  payAddress: string | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'CNY per unit of payCurrency, fixed at creation; null for CNY' })
  payRate: string | null;
  @ApiProperty({
    type: [CampaignOfferDto],
    description: 'The campaigns that applied when the order was created, with the bonus each gives when it is paid in time (a budget used up meanwhile can cut it)',
  })
  campaigns: CampaignOfferDto[];

  static from(order: PaymentOrder): OrderDto {
    return {
      orderNo: order.orderNo,
      status: order.status,
      provider: order.provider,
      paymentMethod: order.paymentMethod,
      amountCny: order.amountCny,
      amountUsd: order.amountUsd,
      bonusUsd: order.bonusUsd,
      totalUsd: order.totalUsd,
      exchangeRate: order.exchangeRate,
      promotionTier: order.promotionTier,
      paymentUrl: order.paymentUrl,
      expireAt: order.expireAt.toISOString(),
      paidAt: order.paidAt?.toISOString() ?? null,
      createdAt: order.createdAt.toISOString(),
      payCurrency: order.payCurrency,
      payAmount: order.payAmount,
      payAddress: order.payAddress,
      payRate: order.payRate,
      campaigns: (order.campaigns ?? []).map(({ id, name, bonusUsd }) => ({ id, name, bonusUsd })),
    };
  }
}

export class OrderPageDto extends PageDto {
  @ApiProperty({ type: [OrderDto] }) items: OrderDto[];
}

export class OrderQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: OrderStatus, enumName: 'OrderStatus' })
  @IsOptional()
  @IsEnum(OrderStatus, { message: `status must be one of: ${Object.values(OrderStatus).join(', ')}` })
  status?: OrderStatus;
}

export class ProviderLabelsDto {
  @ApiProperty({ example: '支付宝 / 微信支付' }) zh: string;
  @ApiProperty({ example: 'Alipay / WeChat Pay' }) en: string;
}

/** A gateway as the web app shows it. */
export class ProviderDto {
  @ApiProperty({ description: 'What orders name it by (provider)', pattern: '^[a-z][a-z0-9_]{1,19}$' }) name: string;
  @ApiProperty({ type: ProviderLabelsDto }) labels: ProviderLabelsDto;
  @ApiProperty({ type: [String], example: ['alipay', 'wxpay'] }) methods: string[];
  @ApiProperty({
    enum: ['redirect', 'qrcode', 'address'],
    enumName: 'PaymentDisplay',
    description: 'How the payer pays: leave for paymentUrl, scan paymentUrl as a QR code, or send exactly payAmount payCurrency to payAddress',
  })
  display: PaymentDisplay;
  @ApiProperty({ description: 'Whether an order created with display "qrcode" gets QR code content instead of a page' }) offersQrCode: boolean;

  static from(provider: PaymentProvider): ProviderDto {
    return {
      name: provider.name,
      labels: { zh: provider.labels.zh, en: provider.labels.en },
      methods: [...provider.methods],
      display: provider.display,
      offersQrCode: provider.offersQrCode,
    };
  }
}

export class PackageDto {
  @ApiProperty({ example: '100.00' }) amountCny: string;
  @ApiProperty({ example: '13.88888889', description: 'USD credited, before any bonus' }) amountUsd: string;
  @ApiProperty({ example: true }) popular: boolean;
}

export class PromotionPreviewDto {
  @ApiProperty({ example: 0, minimum: 0, description: 'Tier number, from 0 (the first tier after registration)' }) tier: number;
  @ApiProperty({ example: 30 }) percent: number;
  @ApiProperty({ format: 'date-time', description: 'When this tier ends' }) endsAt: string;
  @ApiProperty({ example: '1.00', description: 'Smallest order (CNY) that earns the bonus' }) minAmountCny: string;
}

export class PaymentConfigDto {
  @ApiProperty() enabled: boolean;
  @ApiProperty({ type: [ProviderDto] }) providers: ProviderDto[];
  @ApiProperty({ type: [PackageDto] }) packages: PackageDto[];
  @ApiProperty({ example: '1.00' }) minAmountCny: string;
  @ApiProperty({ example: '10000.00' }) maxAmountCny: string;
  @ApiProperty({ example: '7.2', description: 'CNY per USD' }) exchangeRate: string;
  @ApiProperty({ example: '1', description: 'Above 1 gives more USD per yuan' }) discountRate: string;
  @ApiProperty({ example: 30 }) orderExpireMinutes: number;
  @ApiProperty({ type: PromotionPreviewDto, nullable: true, description: 'The bonus an order created now would earn' })
  promotion: PromotionPreviewDto | null;
}
