import { Body, Controller, Delete, Get, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { ApiKeyRow } from '../spending/api-key';
import { ApiKeysService } from '../spending/api-keys.service';
import { ApiKeyDto, CreateApiKeyDto, CreatedApiKeyDto } from '../spending/dto/spending.dto';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';

const toDto = ({ createdBy: _, ...row }: ApiKeyRow): ApiKeyDto => row;

/** API keys for the product's other services (the /api/v1 service API); each change audited. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/api-keys')
export class AdminApiKeysController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly keys: ApiKeysService,
    private readonly audit: AdminAuditService,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create an API key', description: 'The key is in this answer only; store it now. Only its hash is kept.' })
  @ApiCreatedResponse({ type: CreatedApiKeyDto })
  create(@CurrentUser() admin: AuthenticatedUser, @Body() body: CreateApiKeyDto): Promise<CreatedApiKeyDto> {
    return this.dataSource.transaction(async (em) => {
      const { key, row } = await this.keys.create(em, body.name, body.scopes, admin.id);
      await this.audit.record(em, admin, { action: AuditAction.ApiKeyCreate, targetType: AuditTarget.ApiKey, targetId: row.id, after: { name: row.name, scopes: row.scopes } });
      return { ...toDto(row), key };
    });
  }

  @Get()
  @ApiOperation({ summary: 'API keys, newest first (never the keys themselves)' })
  @ApiOkResponse({ type: ApiKeyDto, isArray: true })
  async list(): Promise<ApiKeyDto[]> {
    return (await this.keys.list()).map(toDto);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Revoke an API key', description: 'Calls with it are refused from now on (on other instances within 10 s).' })
  @ApiParam({ name: 'id', example: '3' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ description: 'No such API key' })
  revoke(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string): Promise<ApiKeyDto> {
    return this.dataSource.transaction(async (em) => {
      const row = await this.keys.revoke(em, id);
      await this.audit.record(em, admin, { action: AuditAction.ApiKeyRevoke, targetType: AuditTarget.ApiKey, targetId: row.id, before: { name: row.name } });
      return toDto(row);
    });
  }
}
