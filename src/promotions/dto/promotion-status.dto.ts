import { ApiProperty } from '@nestjs/swagger';
import { PromotionStatus } from '../user-promotion.entity';

export class PromotionTierDto {
  @ApiProperty({ example: 0, minimum: 0, description: 'Tier number, from 0 (the first tier after registration)' }) tier: number;
  @ApiProperty({ example: 24, description: 'Orders created before this many hours after registration earn this tier' })
  hours: number;
  @ApiProperty({ example: 30, description: 'Bonus percent of the order’s USD amount' }) percent: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When this tier ends for this user' })
  endsAt: string | null;
}

/** Everything the countdown banner needs. */
export class PromotionStatusDto {
  @ApiProperty({ description: 'False when the feature is switched off; the other fields are then empty' }) enabled: boolean;
  @ApiProperty({ enum: [...Object.values(PromotionStatus), 'none'], example: 'active' })
  status: PromotionStatus | 'none';
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) activatedAt: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) expireAt: string | null;
  @ApiProperty({ nullable: true, type: Number, example: 0, description: 'The tier an order created now would earn (from 0)' })
  currentTier: number | null;
  @ApiProperty({ nullable: true, type: Number, example: 30 }) currentPercent: number | null;
  @ApiProperty({ example: 3600, description: 'Seconds until the current tier ends (0 when none)' }) secondsLeftInTier: number;
  @ApiProperty({ example: 255600, description: 'Seconds until the promotion ends (0 when over)' }) secondsLeftOverall: number;
  @ApiProperty({ example: '1.00', description: 'Smallest order (CNY) that earns the bonus' }) minAmountCny: string;
  @ApiProperty({ nullable: true, type: Number, description: 'The tier granted (from 0), once used' }) usedTier: number | null;
  @ApiProperty({ nullable: true, type: String, example: '0.83333333', description: 'The bonus granted (USD), once used' })
  bonusAmount: string | null;
  @ApiProperty({ type: [PromotionTierDto] }) tiers: PromotionTierDto[];
}
