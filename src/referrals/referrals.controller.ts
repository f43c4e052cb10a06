import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { AppConfig } from '../common/config/app-config';
import { PageQueryDto } from '../common/http/page.dto';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { InviteeDto, InviteePageDto, InviteeStatus, ReferralInfoDto } from './dto/referral.dto';
import { maskUsername } from './referral-code';
import { ReferralInvite } from './referral-invite.entity';
import { ReferralsService } from './referrals.service';

export function inviteeStatus(invite: ReferralInvite): InviteeStatus {
  if (invite.rewardIssued) return InviteeStatus.Rewarded;
  return invite.isQualified ? InviteeStatus.Qualified : InviteeStatus.Registered;
}

@ApiTags('referrals')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('users/referral')
export class ReferralsController {
  constructor(
    private readonly referrals: ReferralsService,
    private readonly config: AppConfig,
  ) {}

  @Get('info')
  @ApiOperation({ summary: 'The signed-in user’s invite code and link, and what their invites earned' })
  @ApiOkResponse({ type: ReferralInfoDto })
  async info(@CurrentUser() user: AuthenticatedUser): Promise<ReferralInfoDto> {
    const rules = { rewardUsd: this.config.referral.rewardUsd, qualifiedRechargeCny: this.config.referral.qualifiedRechargeCny };
    if (!this.referrals.enabled) {
      return { enabled: false, code: null, link: null, invitedCount: 0, qualifiedCount: 0, rewardedCount: 0, totalRewardUsd: '0.00000000', ...rules };
    }
    return { enabled: true, ...(await this.referrals.summary(user.id)), ...rules };
  }

  @Get('invitees')
  @ApiOperation({ summary: 'The people the signed-in user invited, newest first, usernames masked' })
  @ApiOkResponse({ type: InviteePageDto })
  async invitees(@CurrentUser() user: AuthenticatedUser, @Query() query: PageQueryDto): Promise<InviteePageDto> {
    const page = await this.referrals.invites({ referrerId: user.id }, query);
    return {
      ...page,
      items: page.items.map(
        (invite): InviteeDto => ({
          username: maskUsername(invite.inviteeUsername),
          status: inviteeStatus(invite),
          joinedAt: invite.createdAt.toISOString(),
          qualifiedAt: invite.qualifiedAt?.toISOString() ?? null,
          rewardUsd: invite.rewardAmountUsd,
        }),
      ),
    };
  }
}
