import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminAuditService } from './admin-audit.service';
import { AuditLogDto, AuditLogPageDto, AuditLogQueryDto } from './dto/audit-logs.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/audit-logs')
export class AdminAuditLogsController {
  constructor(private readonly audit: AdminAuditService) {}

  @Get()
  @ApiOperation({
    summary: 'What admins did, newest first, filtered by admin, action, target and time',
    description: 'Every admin action that changes something (and every export) is recorded with the state before and after it.',
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  async list(@Query() query: AuditLogQueryDto): Promise<AuditLogPageDto> {
    const page = await this.audit.list(query, query);
    return { ...page, items: page.items.map(AuditLogDto.from) };
  }
}
