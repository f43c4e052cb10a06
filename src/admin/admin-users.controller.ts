import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { MeDto } from '../users/dto/user.dto';
import { UserRole } from '../users/user.entity';
import { AdminUsersService } from './admin-users.service';
import { AdminUserPageDto, AdminUserQueryDto, UserStatusChangeDto } from './dto/admin-users.dto';
import { ClosedAccountDto, CloseAccountDto } from '../users/dto/account.dto';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin/users')
export class AdminUsersController {
  constructor(private readonly users: AdminUsersService) {}

  @Get()
  @ApiOperation({ summary: 'Users, newest first, searched by email, username or id, filtered by status and role' })
  @ApiOkResponse({ type: AdminUserPageDto })
  async list(@Query() query: AdminUserQueryDto): Promise<AdminUserPageDto> {
    const page = await this.users.list(query, query);
    return { ...page, items: page.items.map(MeDto.from) };
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable or re-enable an account (takes effect on the user’s next request; audited)' })
  @ApiParam({ name: 'id', example: '42' })
  @ApiOkResponse({ type: MeDto })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'An admin cannot disable their own account' })
  async setStatus(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', IdParamPipe) id: string,
    @Body() body: UserStatusChangeDto,
  ): Promise<MeDto> {
    return MeDto.from(await this.users.setStatus(admin, id, body.status, body.remark));
  }

  @Post(':id/close')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Close an account for good: pending orders cancelled, holds released, personal data replaced by a tombstone, sessions ended; the balance left is recorded in the audit entry, not paid out (audited)',
  })
  @ApiParam({ name: 'id', example: '42' })
  @ApiOkResponse({ type: ClosedAccountDto })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The account is already closed (USER_ACCOUNT_CLOSED), or is an admin’s (USER_ADMIN_NOT_CLOSABLE)' })
  async close(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', IdParamPipe) id: string,
    @Body() body: CloseAccountDto,
  ): Promise<ClosedAccountDto> {
    return this.users.close(admin, id, body.remark);
  }
}
