import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CampaignsService } from '../campaigns/campaigns.service';
import { CampaignDto, CreateCampaignDto, UpdateCampaignDto } from '../campaigns/dto/campaign.dto';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';

const TRANSITION_ACTIONS = { pause: AuditAction.CampaignPause, resume: AuditAction.CampaignResume, end: AuditAction.CampaignEnd } as const;

/** Recharge campaigns: each change audited in its own transaction, the answer read in it. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/campaigns')
export class AdminCampaignsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly campaigns: CampaignsService,
    private readonly audit: AdminAuditService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Start a campaign',
    description:
      'Conditions (all must hold): min_amount {cny}, registered_within {hours}, registered_before {at}, first_paid_order. Actions: percent_bonus ' +
      '{percent, capUsd?}, tiered_percent_bonus {tiers: [{withinHours, percent}], capUsd?}, fixed_bonus {usd}. It applies to orders created ' +
      'within its window; each order’s campaigns are fixed when it is created and granted once when it is paid.',
  })
  @ApiCreatedResponse({ type: CampaignDto })
  @ApiBadRequestResponse({ description: 'An unknown condition or action type, a percent outside (0, 100], a negative amount, endsAt not after startsAt (each problem listed)' })
  create(@CurrentUser() admin: AuthenticatedUser, @Body() body: CreateCampaignDto): Promise<CampaignDto> {
    return this.dataSource.transaction(async (em) => {
      const campaign = await this.campaigns.create(em, body, admin.email);
      const created = await this.campaigns.find(campaign.id, em);
      await this.audit.record(em, admin, { action: AuditAction.CampaignCreate, targetType: AuditTarget.Campaign, targetId: campaign.id, after: rulesOf(created) });
      return created;
    });
  }

  @Get()
  @ApiOperation({ summary: 'Every campaign, newest first, with what it paid out: spend, orders and users' })
  @ApiOkResponse({ type: CampaignDto, isArray: true })
  list(): Promise<CampaignDto[]> {
    return this.campaigns.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One campaign' })
  @ApiParam({ name: 'id', example: '2' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ description: 'No such campaign' })
  find(@Param('id', IdParamPipe) id: string): Promise<CampaignDto> {
    return this.campaigns.find(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a campaign that has not started (fields left out stay)' })
  @ApiParam({ name: 'id', example: '2' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ description: 'No such campaign' })
  @ApiConflictResponse({ description: 'The campaign is no longer scheduled (CAMPAIGN_NOT_EDITABLE), or it is the new-user bonus, whose rules are configuration (CAMPAIGN_SEEDED_RULES)' })
  update(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string, @Body() body: UpdateCampaignDto): Promise<CampaignDto> {
    return this.dataSource.transaction(async (em) => {
      const before = await this.campaigns.find(id, em);
      await this.campaigns.update(em, id, body);
      const after = await this.campaigns.find(id, em);
      await this.audit.record(em, admin, { action: AuditAction.CampaignUpdate, targetType: AuditTarget.Campaign, targetId: id, before: rulesOf(before), after: rulesOf(after) });
      return after;
    });
  }

  @Post(':id/pause')
  @HttpCode(200)
  @ApiOperation({ summary: 'Pause a scheduled or active campaign: orders created meanwhile do not get it' })
  @ApiParam({ name: 'id', example: '2' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ description: 'No such campaign' })
  @ApiConflictResponse({ description: 'Already paused, or ended (CAMPAIGN_TRANSITION_REFUSED)' })
  pause(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string): Promise<CampaignDto> {
    return this.transition(admin, id, 'pause');
  }

  @Post(':id/resume')
  @HttpCode(200)
  @ApiOperation({ summary: 'Resume a paused campaign' })
  @ApiParam({ name: 'id', example: '2' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ description: 'No such campaign' })
  @ApiConflictResponse({ description: 'Not paused (CAMPAIGN_TRANSITION_REFUSED)' })
  resume(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string): Promise<CampaignDto> {
    return this.transition(admin, id, 'resume');
  }

  @Post(':id/end')
  @HttpCode(200)
  @ApiOperation({ summary: 'End a campaign for good (orders created before keep what they were offered)' })
  @ApiParam({ name: 'id', example: '2' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiNotFoundResponse({ description: 'No such campaign' })
  @ApiConflictResponse({ description: 'Already ended (CAMPAIGN_TRANSITION_REFUSED)' })
  end(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string): Promise<CampaignDto> {
    return this.transition(admin, id, 'end');
  }

  private transition(admin: AuthenticatedUser, id: string, transition: keyof typeof TRANSITION_ACTIONS): Promise<CampaignDto> {
    return this.dataSource.transaction(async (em) => {
      const { before, after } = await this.campaigns.transition(em, id, transition);
      await this.audit.record(em, admin, { action: TRANSITION_ACTIONS[transition], targetType: AuditTarget.Campaign, targetId: id, before: { status: before }, after: { status: after } });
      return this.campaigns.find(id, em);
    });
  }
}

/** What the audit log keeps of a campaign: everything an admin sets. */
function rulesOf(campaign: CampaignDto): Record<string, unknown> {
  const { name, status, priority, stacking, startsAt, endsAt, budgetUsd, perUserLimit, conditions, action } = campaign;
  return { name, status, priority, stacking, startsAt, endsAt, budgetUsd, perUserLimit, conditions, action };
}
