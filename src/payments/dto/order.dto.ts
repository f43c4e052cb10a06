import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsIn, IsOptional } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/http/page.dto';
import { IsDecimalString } from '../../common/money/is-decimal-string.validator';
import { OrderStatus, PaymentMethod, PaymentOrder, ProviderName } from '../payment-order.entity';

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

  @ApiProperty({ enum: ProviderName, enumName: 'ProviderName' })
  @IsEnum(ProviderName, { message: `provider must be one of: ${Object.values(ProviderName).join(', ')}` })
  provider: ProviderName;

  @ApiProperty({ enum: PaymentMethod, enumName: 'PaymentMethod' })
  @IsEnum(PaymentMethod, { message: `method must be one of: ${Object.values(PaymentMethod).join(', ')}` })
  method: PaymentMethod;

  @ApiPropertyOptional({
    enum: ['redirect', 'qrcode'],
    default: 'redirect',
    description: 'qrcode: paymentUrl is QR code content (Zpay API pay) instead of a page to open',
  })
  @IsOptional()
  @IsIn(['redirect', 'qrcode'], { message: 'display must be redirect or qrcode' })
  display?: 'redirect' | 'qrcode';
}

/** A payment order in an answer. */
export class OrderDto {
  @ApiProperty({ example: 'PO20261123010203A1B2C3D4E5F60718' }) orderNo: string;
  @ApiProperty({ enum: OrderStatus, enumName: 'OrderStatus' }) status: OrderStatus;
  @ApiProperty({ enum: ProviderName, enumName: 'ProviderName' }) provider: ProviderName;
  @ApiProperty({ enum: PaymentMethod, enumName: 'PaymentMethod', nullable: true }) paymentMethod: PaymentMethod | null;
  @ApiProperty({ example: '20.00' }) amountCny: string;
  @ApiProperty({ example: '2.77777778' }) amountUsd: string;
  @ApiProperty({ example: '0.83333333', description: 'New-user bonus granted at payment' }) bonusUsd: string;
  @ApiProperty({ example: '3.61111111', description: 'amountUsd + bonusUsd' }) totalUsd: string;
  @ApiProperty({ example: '7.2000', description: 'CNY per USD used for this order' }) exchangeRate: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The bonus tier previewed at creation (from 0, the first tier)' }) promotionTier: number | null;
  @ApiProperty({ nullable: true, type: String, description: 'Where to pay, or QR code content' }) paymentUrl: string | null;
  @ApiProperty({ format: 'date-time' }) expireAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) paidAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;

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

export class ProviderOptionDto {
  @ApiProperty({ enum: ProviderName, enumName: 'ProviderName' }) name: ProviderName;
  @ApiProperty({ enum: PaymentMethod, enumName: 'PaymentMethod', isArray: true }) methods: PaymentMethod[];
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
  @ApiProperty({ type: [ProviderOptionDto] }) providers: ProviderOptionDto[];
  @ApiProperty({ type: [PackageDto] }) packages: PackageDto[];
  @ApiProperty({ example: '1.00' }) minAmountCny: string;
  @ApiProperty({ example: '10000.00' }) maxAmountCny: string;
  @ApiProperty({ example: '7.2', description: 'CNY per USD' }) exchangeRate: string;
  @ApiProperty({ example: '1', description: 'Above 1 gives more USD per yuan' }) discountRate: string;
  @ApiProperty({ example: 30 }) orderExpireMinutes: number;
  @ApiProperty({ type: PromotionPreviewDto, nullable: true, description: 'The bonus an order created now would earn' })
  promotion: PromotionPreviewDto | null;
}
