import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min } from 'class-validator';
import { IsBigintId } from '../../common/http/bigint-id';
import { PageDto, PageQueryDto } from '../../common/http/page.dto';
import { Trim } from '../../common/http/trim.decorator';
import { EVENT_TYPES } from '../event-catalog';

const EVENT_TYPE_CHOICES = ['*', ...EVENT_TYPES];

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://shop.example.com/recharge/webhooks', maxLength: 2048, description: 'https in production; no redirects are followed' })
  @Trim()
  @IsString()
  @MaxLength(2048)
  url: string;

  @ApiProperty({ example: ['order.paid', 'balance.changed'], description: "The event types to send; ['*'] is every type", enum: EVENT_TYPE_CHOICES, enumName: 'WebhookEventTypeChoice', isArray: true })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPE_CHOICES.length)
  @IsString({ each: true })
  eventTypes: string[];

  @ApiPropertyOptional({ example: 'Shop balance sync', maxLength: 200 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ maxLength: 2048 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2048)
  url?: string;

  @ApiPropertyOptional({ enum: EVENT_TYPE_CHOICES, enumName: 'WebhookEventTypeChoice', isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(EVENT_TYPE_CHOICES.length)
  @IsString({ each: true })
  eventTypes?: string[];

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(200)
  description?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookEndpointDto {
  @ApiProperty({ example: '1' }) id: string;
  @ApiProperty({ example: 'https://shop.example.com/recharge/webhooks' }) url: string;
  @ApiProperty({ example: 'Shop balance sync' }) description: string;
  @ApiProperty({ example: ['order.paid', 'balance.changed'], enum: EVENT_TYPE_CHOICES, enumName: 'WebhookEventTypeChoice', isArray: true }) eventTypes: string[];
  @ApiProperty() enabled: boolean;
  @ApiProperty({ nullable: true, type: Date, description: 'After a rotation: until when deliveries also carry a signature with the previous secret' })
  previousSecretExpiresAt: Date | null;
  @ApiProperty({ example: 'admin@example.com' }) createdBy: string;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
  @ApiProperty({ example: 0, description: 'Deliveries waiting to be sent or retried' }) pending: number;
  @ApiProperty({ example: 0, description: 'Deliveries whose retries ran out' }) failed: number;
  @ApiProperty({ example: 120 }) delivered: number;
}

export class CreatedWebhookEndpointDto extends WebhookEndpointDto {
  @ApiProperty({ example: 'whsec_2b1m…', description: 'The signing secret: in this answer only; store it now' })
  secret: string;
}

export class RotateSecretDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: 72,
    default: 24,
    description: 'How long deliveries are also signed with the old secret (a second v1 in Recharge-Signature), so the receiver can switch without a gap; 0 stops the old secret at once',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(72)
  keepPreviousHours?: number;
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export class WebhookDeliveryDto {
  @ApiProperty({ example: '31' }) id: string;
  @ApiProperty({ example: '1' }) endpointId: string;
  @ApiProperty({ example: '5b0c2f8e-8d0e-4a57-9a43-0f3c1f1d2b7e' }) eventId: string;
  @ApiProperty({ example: 'order.paid', enum: EVENT_TYPES, enumName: 'EventType' }) eventType: string;
  @ApiProperty({ example: '42', description: 'The user the event is about' }) userId: string;
  @ApiProperty({ enum: DELIVERY_STATUSES }) status: string;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiProperty({ nullable: true, type: Date, description: 'When a pending delivery is tried next' }) nextAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Date }) lastAttemptAt: Date | null;
  @ApiProperty({ nullable: true, type: Number, example: 200, description: "The endpoint's last HTTP status (null: no answer)" }) lastStatusCode: number | null;
  @ApiProperty({ nullable: true, type: String, example: 'no answer within 10 s' }) lastError: string | null;
  @ApiProperty({ nullable: true, type: Date }) deliveredAt: Date | null;
  @ApiProperty() createdAt: Date;
}

export class WebhookDeliveryPageDto extends PageDto {
  @ApiProperty({ type: WebhookDeliveryDto, isArray: true }) items: WebhookDeliveryDto[];
}

export class WebhookDeliveriesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(DELIVERY_STATUSES)
  status?: (typeof DELIVERY_STATUSES)[number];

  @ApiPropertyOptional({ enum: EVENT_TYPES, enumName: 'EventType' })
  @IsOptional()
  @IsIn(EVENT_TYPES)
  eventType?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One event' })
  @IsOptional()
  @IsUUID()
  eventId?: string;

  @ApiPropertyOptional({ example: '42', description: "The events of one user", maxLength: 19, pattern: '^[1-9]\\d{0,18}$' })
  @IsOptional()
  @IsBigintId('userId')
  userId?: string;
}
