import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
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
import { IdParamPipe } from '../common/http/id-param.pipe';
import {
  CreateWebhookEndpointDto,
  CreatedWebhookEndpointDto,
  RotateSecretDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveriesQueryDto,
  WebhookDeliveryDto,
  WebhookDeliveryPageDto,
  WebhookEndpointDto,
} from '../events/dto/webhook-endpoints.dto';
import { WebhookEndpointsService } from '../events/webhooks/webhook-endpoints.service';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';

/** How long a rotated-out secret keeps signing when the admin does not say. */
const DEFAULT_KEEP_PREVIOUS_HOURS = 24;

/** What the audit log keeps of an endpoint (never its secret). */
const audited = (row: { url: string; eventTypes: string[]; enabled: boolean; description: string }) => ({ url: row.url, eventTypes: row.eventTypes, enabled: row.enabled, description: row.description });

/** Integrators' webhook endpoints and their deliveries; each change audited in its own transaction. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/webhook-endpoints')
export class AdminWebhookEndpointsController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly endpoints: WebhookEndpointsService,
    private readonly audit: AdminAuditService,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Register a webhook endpoint',
    description: 'Events of the chosen types are POSTed to it, signed with its secret (Recharge-Signature). The secret is in this answer only.',
  })
  @ApiCreatedResponse({ type: CreatedWebhookEndpointDto })
  @ApiBadRequestResponse({
    description: 'A URL that is not https in production or points at a private address (WEBHOOK_ENDPOINT_URL_REFUSED, with details.reason), or an unknown event type (WEBHOOK_UNKNOWN_EVENT_TYPE)',
  })
  create(@CurrentUser() admin: AuthenticatedUser, @Body() body: CreateWebhookEndpointDto): Promise<CreatedWebhookEndpointDto> {
    return this.dataSource.transaction(async (em) => {
      const { endpoint, secret } = await this.endpoints.create(em, body, admin.email);
      await this.audit.record(em, admin, { action: AuditAction.WebhookEndpointCreate, targetType: AuditTarget.WebhookEndpoint, targetId: endpoint.id, after: audited(endpoint) });
      return { ...endpoint, secret };
    });
  }

  @Get()
  @ApiOperation({ summary: 'Webhook endpoints, newest first, with their deliveries counted (never the secrets)' })
  @ApiOkResponse({ type: WebhookEndpointDto, isArray: true })
  list(): Promise<WebhookEndpointDto[]> {
    return this.endpoints.list();
  }

  @Get(':id')
  @ApiOperation({ summary: 'One webhook endpoint' })
  @ApiParam({ name: 'id', example: '1' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  find(@Param('id', IdParamPipe) id: string): Promise<WebhookEndpointDto> {
    return this.endpoints.find(id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change the URL, event types, description or whether it is enabled', description: 'A disabled endpoint keeps its pending deliveries until it is enabled again.' })
  @ApiParam({ name: 'id', example: '1' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  async update(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string, @Body() body: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    await this.dataSource.transaction(async (em) => {
      const { before, after } = await this.endpoints.update(em, id, body);
      await this.audit.record(em, admin, { action: AuditAction.WebhookEndpointUpdate, targetType: AuditTarget.WebhookEndpoint, targetId: id, before: audited(before), after: audited(after) });
    });
    return this.endpoints.find(id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Replace the signing secret',
    description:
      'Deliveries are signed with the new secret from now on, and with the old one too for keepPreviousHours (default 24), so the receiver can switch without refusing deliveries. The new secret is in this answer only.',
  })
  @ApiParam({ name: 'id', example: '1' })
  @ApiOkResponse({ type: CreatedWebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  async rotateSecret(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', IdParamPipe) id: string,
    @Body() body: RotateSecretDto,
  ): Promise<CreatedWebhookEndpointDto> {
    const keepPreviousHours = body.keepPreviousHours ?? DEFAULT_KEEP_PREVIOUS_HOURS;
    const secret = await this.dataSource.transaction(async (em) => {
      const rotated = await this.endpoints.rotateSecret(em, id, keepPreviousHours);
      await this.audit.record(em, admin, {
        action: AuditAction.WebhookEndpointRotateSecret,
        targetType: AuditTarget.WebhookEndpoint,
        targetId: id,
        after: { keepPreviousHours },
      });
      return rotated.secret;
    });
    return { ...(await this.endpoints.find(id)), secret };
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a webhook endpoint and its deliveries' })
  @ApiParam({ name: 'id', example: '1' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  async remove(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string): Promise<WebhookEndpointDto> {
    const endpoint = await this.endpoints.find(id);
    await this.dataSource.transaction(async (em) => {
      const row = await this.endpoints.delete(em, id);
      await this.audit.record(em, admin, { action: AuditAction.WebhookEndpointDelete, targetType: AuditTarget.WebhookEndpoint, targetId: id, before: audited(row) });
    });
    return endpoint;
  }

  @Get(':id/deliveries')
  @ApiOperation({ summary: "An endpoint's deliveries, newest first: status, attempts, the last answer's code and time" })
  @ApiParam({ name: 'id', example: '1' })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiNotFoundResponse({ description: 'No such endpoint' })
  @ApiBadRequestResponse({ description: 'An unknown status or event type, an eventId that is not a UUID, a userId that is not an id, or a page out of range' })
  deliveries(@Param('id', IdParamPipe) id: string, @Query() query: WebhookDeliveriesQueryDto): Promise<WebhookDeliveryPageDto> {
    return this.endpoints.deliveries(id, { status: query.status, eventType: query.eventType, eventId: query.eventId, userId: query.userId }, query);
  }

  @Post(':id/deliveries/:deliveryId/resend')
  @HttpCode(200)
  @ApiOperation({ summary: 'Send a delivery again now (delivered, failed or pending), with a new retry window' })
  @ApiParam({ name: 'id', example: '1' })
  @ApiParam({ name: 'deliveryId', example: '31' })
  @ApiOkResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ description: 'No such endpoint or delivery' })
  @ApiConflictResponse({ description: 'The endpoint is disabled (WEBHOOK_ENDPOINT_DISABLED): enable it first' })
  resend(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string, @Param('deliveryId', IdParamPipe) deliveryId: string): Promise<WebhookDeliveryDto> {
    return this.dataSource.transaction(async (em) => {
      const delivery = await this.endpoints.resend(em, id, deliveryId);
      await this.audit.record(em, admin, { action: AuditAction.WebhookDeliveryResend, targetType: AuditTarget.WebhookEndpoint, targetId: id, after: { deliveryId, eventId: delivery.eventId } });
      return delivery;
    });
  }
}
