import { ApiProperty } from '@nestjs/swagger';
import { DateRangeQueryDto } from '../../common/http/page.dto';

/** Bonuses granted in [from, to). */
export class PromotionStatsQueryDto extends DateRangeQueryDto {}

export class TierStatsDto {
  @ApiProperty({ example: 0, minimum: 0, description: 'Tier number, from 0 (the first tier after registration)' }) tier: number;
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
