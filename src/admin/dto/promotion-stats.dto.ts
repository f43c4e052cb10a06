import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional } from 'class-validator';

export class PromotionStatsQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Bonuses granted at or after' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'from must be an ISO-8601 date-time' })
  from?: Date;

  @ApiPropertyOptional({ format: 'date-time', description: 'Bonuses granted before' })
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'to must be an ISO-8601 date-time' })
  to?: Date;
}

export class TierStatsDto {
  @ApiProperty({ example: 1 }) tier: number;
  @ApiProperty({ example: 12, description: 'Bonuses granted in this tier' }) count: number;
  @ApiProperty({ example: '10.00000000', description: 'USD granted as bonus' }) bonusUsd: string;
  @ApiProperty({ example: '33.33333333', description: 'USD of the orders that earned it' }) amountUsd: string;
}

export class PromotionStatsDto {
  @ApiProperty({ description: 'False when the feature is switched off' }) enabled: boolean;
  @ApiProperty({ type: [TierStatsDto] }) byTier: TierStatsDto[];
  @ApiProperty({ example: '10.00000000' }) totalBonusUsd: string;
  @ApiProperty({ example: 12 }) grantedCount: number;
  @ApiProperty({ example: 40, description: 'Promotions still running' }) active: number;
  @ApiProperty({ example: 12 }) used: number;
  @ApiProperty({ example: 7 }) expired: number;
}
