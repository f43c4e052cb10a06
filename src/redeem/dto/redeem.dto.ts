import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsInt, IsNotEmpty, IsOptional, IsString, Max, MaxDate, MaxLength, Min, MinDate } from 'class-validator';
import { LATEST_DATE } from '../../common/http/date-query';
import { PageDto } from '../../common/http/page.dto';
import { Trim } from '../../common/http/trim.decorator';
import { IsDecimalString } from '../../common/money/is-decimal-string.validator';

export const MAX_CODES_PER_BATCH = 10_000;
const NOTE_MAX_LENGTH = 200;

export class RedeemCodeDto {
  @ApiProperty({ example: 'ABCD-EFGH-JKMN-PQRS', description: 'As printed; case, dashes and spaces do not matter', maxLength: 64, pattern: '^[ \\-0-9A-Za-z]+$' })
  @MaxLength(64)
  @IsNotEmpty({ message: 'code is required' })
  @IsString()
  code: string;
}

export class RedeemResultDto {
  @ApiProperty({ example: '5.00000000', description: 'What the code added, in USD' }) amountUsd: string;
  @ApiProperty({ example: '15.00000000', description: 'The balance right after' }) balance: string;
}

export class CreateRedeemBatchDto {
  @ApiProperty({ example: 100, minimum: 1, maximum: MAX_CODES_PER_BATCH, description: 'How many codes' })
  @Max(MAX_CODES_PER_BATCH)
  @Min(1)
  @IsInt()
  count: number;

  @ApiProperty({ example: '5.00', description: 'What each code adds, in USD (up to 8 decimals)', pattern: '^\\d+(\\.\\d{1,8})?$', maxLength: 64 })
  @IsDecimalString({ scale: 8, min: '0.00000001', max: '100000' })
  amountUsd: string;

  @ApiPropertyOptional({ example: '2027-01-01T00:00:00Z', format: 'date-time', description: 'After this the codes cannot be redeemed; omitted: never' })
  @IsOptional()
  @Type(() => Date)
  @MaxDate(LATEST_DATE, { message: 'expiresAt must be before 9999-12-31' })
  @MinDate(() => new Date(), { message: 'expiresAt must be in the future' })
  @IsDate({ message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: Date;

  @ApiPropertyOptional({ example: 1, minimum: 1, maximum: 1_000_000, default: 1, description: 'How many users may redeem each code' })
  @IsOptional()
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  maxRedemptions?: number;

  @ApiProperty({ example: 'Spring campaign, shop flyers', maxLength: NOTE_MAX_LENGTH, description: 'For admins: what the batch is for' })
  @Trim()
  @MaxLength(NOTE_MAX_LENGTH)
  @IsNotEmpty({ message: 'note is required' })
  @IsString()
  note: string;
}

export class RedeemBatchDto {
  @ApiProperty({ example: '12' }) id: string;
  @ApiProperty({ example: '5.00000000' }) amountUsd: string;
  @ApiProperty({ example: 100 }) codeCount: number;
  @ApiProperty({ example: 1 }) maxRedemptions: number;
  @ApiPropertyOptional({ nullable: true, type: Date }) expiresAt: Date | null;
  @ApiProperty() note: string;
  @ApiProperty({ enum: ['active', 'disabled', 'expired'] }) status: 'active' | 'disabled' | 'expired';
  @ApiProperty({ example: 37, description: 'Redemptions so far, over all codes' }) redemptions: number;
  @ApiProperty({ example: 37, description: 'Codes redeemed at least once' }) codesUsed: number;
  @ApiProperty({ example: '185.00000000', description: 'USD added to balances by this batch' }) redeemedUsd: string;
  @ApiProperty() createdAt: Date;
  @ApiPropertyOptional({ nullable: true, type: Date }) disabledAt: Date | null;
}

export class RedeemBatchPageDto extends PageDto {
  @ApiProperty({ type: RedeemBatchDto, isArray: true }) items: RedeemBatchDto[];
}

export class CreatedRedeemBatchDto {
  @ApiProperty({ example: '12' }) batchId: string;
  @ApiProperty({ example: '5.00000000' }) amountUsd: string;
  @ApiProperty({ example: 1 }) maxRedemptions: number;
  @ApiPropertyOptional({ nullable: true, type: Date }) expiresAt: Date | null;
  @ApiProperty() note: string;
  @ApiProperty({ type: String, isArray: true, example: ['ABCD-EFGH-JKMN-PQRS'], description: 'The codes; they are not stored and never shown again' })
  codes: string[];
}
