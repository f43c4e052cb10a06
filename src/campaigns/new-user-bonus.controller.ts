import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppConfig } from '../common/config/app-config';
import { PromotionStatusDto } from '../promotions/dto/promotion-status.dto';
import { PromotionsService } from '../promotions/promotions.service';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { CampaignsService } from './campaigns.service';

const HOUR_MS = 3_600_000;
const secondsUntil = (end: Date | null, now: Date) => (end ? Math.max(0, Math.floor((end.getTime() - now.getTime()) / 1000)) : 0);

/**
 * The new-user bonus's countdown banner. It sits with the campaigns because
 * whether the bonus runs is the seeded campaign's (an admin can pause or end
 * it) as well as the promotion configuration's.
 */
@ApiTags('promotions')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('users/promotion')
export class NewUserBonusController {
  constructor(
    private readonly promotions: PromotionsService,
    private readonly campaigns: CampaignsService,
    private readonly config: AppConfig,
  ) {}

  @Get('status')
  @ApiOperation({ summary: 'The signed-in user’s new-user bonus: tier now, countdowns and the tier table' })
  @ApiOkResponse({ type: PromotionStatusDto })
  async status(@CurrentUser() user: AuthenticatedUser): Promise<PromotionStatusDto> {
    const now = new Date();
    const [state, running] = await Promise.all([this.promotions.state(user.id, now), this.campaigns.newUserBonusRunning(now)]);
    const { promotion } = state;
    const enabled = state.enabled && running;
    const current = enabled ? state.current : null;
    const activatedAt = promotion?.activatedAt ?? null;
    const live = current !== null;
    return {
      enabled,
      status: promotion?.status ?? 'none',
      activatedAt: activatedAt?.toISOString() ?? null,
      expireAt: promotion?.expireAt.toISOString() ?? null,
      currentTier: current?.tier ?? null,
      currentPercent: current?.percent ?? null,
      secondsLeftInTier: secondsUntil(current?.endsAt ?? null, now),
      secondsLeftOverall: live ? secondsUntil(promotion!.expireAt, now) : 0,
      minAmountCny: this.config.promotion.minAmount,
      usedTier: promotion?.usedTier ?? null,
      bonusAmount: promotion?.bonusAmount ?? null,
      tiers: enabled
        ? this.promotions.tiers.map((rule, i) => ({
            tier: i,
            hours: rule.hours,
            percent: rule.percent,
            endsAt: activatedAt ? new Date(activatedAt.getTime() + rule.hours * HOUR_MS).toISOString() : null,
          }))
        : [],
    };
  }
}
