import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMinSize, IsArray, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min, ValidateBy } from 'class-validator';
import { IsBigintId } from '../../common/http/bigint-id';
import { FastBody } from '../../common/http/body-validation.pipe';
import { Trim } from '../../common/http/trim.decorator';
import { IsDecimalString } from '../../common/money/is-decimal-string.validator';
import { API_KEY_SCOPES, ApiKeyScope } from '../api-key';

const DESCRIPTION_MAX_LENGTH = 200;
/** Metadata is for the caller's own references (a request id, a product); kept small. */
const METADATA_MAX_BYTES = 4096;
/** The largest single charge or hold, in USD. */
const MAX_AMOUNT_USD = '1000000';

const AmountUsd = (description: string) => (target: object, key: string) => {
  ApiProperty({ example: '0.25000000', description, pattern: '^\\d+(\\.\\d{1,8})?$', maxLength: 64 })(target, key);
  IsDecimalString({ scale: 8, min: '0.00000001', max: MAX_AMOUNT_USD })(target, key);
};

const Description = () => (target: object, key: string) => {
  ApiProperty({ example: 'gpt-4o: 1,234 tokens', maxLength: DESCRIPTION_MAX_LENGTH, description: 'Shown to the user in their ledger' })(target, key);
  Trim()(target, key);
  MaxLength(DESCRIPTION_MAX_LENGTH)(target, key);
  IsNotEmpty({ message: `${key} is required` })(target, key);
  IsString()(target, key);
};

// The fast path of the service API's hottest call; a body with metadata, or anything else it does not accept,
// is judged by the decorators below.
@FastBody({
  type: 'object',
  properties: {
    // 18 digits at most: always below BIGINT's limit.
    userId: { type: 'string', pattern: '^[1-9]\\d{0,17}$' },
    // At most 8 decimals with a non-zero digit (so ≥ 0.00000001), and below MAX_AMOUNT_USD.
    amountUsd: { type: 'string', maxLength: 15, pattern: '^(?=[\\d.]*[1-9])\\d{1,6}(\\.\\d{1,8})?$' },
    // Already trimmed, on one line.
    description: { type: 'string', minLength: 1, maxLength: DESCRIPTION_MAX_LENGTH, pattern: '^\\S(.*\\S)?$' },
  },
  required: ['userId', 'amountUsd', 'description'],
  additionalProperties: false,
})
export class CreateChargeDto {
  @ApiProperty({ example: '42', description: 'The user whose balance pays', pattern: '^[1-9]\\d{0,18}$', maxLength: 19 })
  @IsBigintId('userId')
  userId: string;

  @AmountUsd('What to take, in USD (up to 8 decimals, > 0)')
  amountUsd: string;

  @Description()
  description: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: `Your own references, up to ${METADATA_MAX_BYTES} bytes of JSON` })
  @IsOptional()
  @IsObject()
  @ValidateBy({
    name: 'metadataSize',
    validator: {
      validate: (value) => JSON.stringify(value ?? null).length <= METADATA_MAX_BYTES,
      defaultMessage: () => `metadata must be at most ${METADATA_MAX_BYTES} bytes of JSON`,
    },
  })
  metadata?: Record<string, unknown>;
}

export class ChargeDto {
  @ApiProperty({ example: '1001' }) id: string;
  @ApiProperty({ example: '42' }) userId: string;
  @ApiProperty({ example: '0.25000000' }) amountUsd: string;
  @ApiProperty({ example: '0.00000000', description: 'Given back so far' }) refundedUsd: string;
  @ApiProperty() description: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, nullable: true }) metadata: Record<string, unknown> | null;
  @ApiProperty({ example: null, nullable: true, type: String, description: 'The hold this charge captured' }) holdId: string | null;
  @ApiProperty({ example: '9.75000000', description: 'The balance right after the charge' }) balanceAfter: string;
  @ApiProperty() createdAt: Date;
}

export class RefundChargeDto {
  @ApiPropertyOptional({ example: '0.10000000', description: 'USD to give back; omitted: all that is left', pattern: '^\\d+(\\.\\d{1,8})?$', maxLength: 64 })
  @IsOptional()
  @IsDecimalString({ scale: 8, min: '0.00000001', max: MAX_AMOUNT_USD })
  amountUsd?: string;
}

export class ChargeRefundDto {
  @ApiProperty({ example: '7' }) id: string;
  @ApiProperty({ example: '0.10000000' }) amountUsd: string;
  @ApiProperty({ type: ChargeDto }) charge: ChargeDto;
  @ApiProperty({ example: '9.85000000', description: 'The balance right after the refund' }) balanceAfter: string;
}

/** A user's balance as the service API answers it (named apart from the user's own BalanceDto: OpenAPI schemas are named by class). */
export class AccountBalanceDto {
  @ApiProperty({ example: '42' }) userId: string;
  @ApiProperty({ example: '10.00000000' }) balance: string;
  @ApiProperty({ example: '2.00000000', description: 'Reserved by active holds' }) held: string;
  @ApiProperty({ example: '8.00000000', description: 'balance − held: what a charge or hold can take' }) available: string;
}

export class CreateHoldDto {
  @ApiProperty({ example: '42', description: 'The user whose balance is reserved', pattern: '^[1-9]\\d{0,18}$', maxLength: 19 })
  @IsBigintId('userId')
  userId: string;

  @AmountUsd('What to reserve, in USD')
  amountUsd: string;

  @Description()
  description: string;

  @ApiPropertyOptional({ example: 900, description: 'Released by itself after this long (default spend.hold_default_seconds)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(31_536_000)
  expiresInSeconds?: number;
}

export class CaptureHoldDto {
  @AmountUsd('What to charge, at most the amount held; the rest is released')
  amountUsd: string;
}

export class HoldDto {
  @ApiProperty({ example: '55' }) id: string;
  @ApiProperty({ example: '42' }) userId: string;
  @ApiProperty({ example: '2.00000000' }) amountUsd: string;
  @ApiProperty() description: string;
  @ApiProperty({ enum: ['active', 'captured', 'released', 'expired'] }) status: string;
  @ApiProperty({ example: null, nullable: true, type: String }) capturedUsd: string | null;
  @ApiProperty() expiresAt: Date;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) settledAt: Date | null;
}

export class CaptureResultDto {
  @ApiProperty({ type: HoldDto }) hold: HoldDto;
  @ApiProperty({ type: ChargeDto }) charge: ChargeDto;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'api-gateway (production)', maxLength: 100 })
  @Trim()
  @MaxLength(100)
  @IsNotEmpty({ message: 'name is required' })
  @IsString()
  name: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, example: ['charges:write', 'balances:read'] })
  @IsArray()
  @ArrayMinSize(1, { message: 'scopes must name at least one scope' })
  @IsIn(API_KEY_SCOPES, { each: true, message: `each scope must be one of: ${API_KEY_SCOPES.join(', ')}` })
  scopes: ApiKeyScope[];
}

export class ApiKeyDto {
  @ApiProperty({ example: '3' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty({ example: 'rk_Xy12abc', description: 'The first characters of the key, to recognise it' }) prefix: string;
  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true }) scopes: string[];
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) lastUsedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) revokedAt: Date | null;
}

export class CreatedApiKeyDto extends ApiKeyDto {
  @ApiProperty({ example: 'rk_…', description: 'The key itself: shown this once, never again' }) key: string;
}
