import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { PromotionsService } from '../promotions/promotions.service';
import { inviteeStatus } from '../referrals/referrals.controller';
import { ReferralsService } from '../referrals/referrals.service';
import { AdminInvitePageDto, AdminReferralQueryDto } from '../referrals/dto/referral.dto';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { PromotionStatsDto, PromotionStatsQueryDto } from './dto/promotion-stats.dto';

/** Admin views of the new-user bonus and invite rewards. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin')
export class AdminGrowthController {
  constructor(
    private readonly promotions: PromotionsService,
    private readonly referrals: ReferralsService,
  ) {}

  @Get('promotions/stats')
  @ApiOperation({ summary: 'Bonuses granted by tier, the total, and promotions by status' })
  @ApiOkResponse({ type: PromotionStatsDto })
  async promotionStats(@Query() query: PromotionStatsQueryDto): Promise<PromotionStatsDto> {
    return { enabled: this.promotions.enabled, ...(await this.promotions.stats(query)) };
  }

  @Get('referrals')
  @ApiOperation({ summary: 'Invites with their totals and reward status, newest first' })
  @ApiOkResponse({ type: AdminInvitePageDto })
  async invites(@Query() query: AdminReferralQueryDto): Promise<AdminInvitePageDto> {
    const page = await this.referrals.invites(query, query);
    return {
      ...page,
      items: page.items.map((i) => ({
        id: i.id,
        inviteeId: i.inviteeId,
        inviteeUsername: i.inviteeUsername,
        referrerId: i.referrerId,
        referrerUsername: i.referrerUsername,
        totalRechargeCny: i.totalRechargeCny,
        totalRechargeUsd: i.totalRechargeUsd,
        status: inviteeStatus(i),
        qualifiedAt: i.qualifiedAt?.toISOString() ?? null,
        rewardIssuedAt: i.rewardIssuedAt?.toISOString() ?? null,
        rewardAmountUsd: i.rewardAmountUsd,
        createdAt: i.createdAt.toISOString(),
      })),
    };
  }
}
