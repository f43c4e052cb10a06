import { Body, Controller, Get, HttpCode, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AccountClosingService } from './account-closing.service';
import { AccountExportService } from './account-export.service';
import { AuthThrottled } from './auth/auth-throttle';
import { AccountExportDto, ClosedAccountDto, CloseOwnAccountDto } from './dto/account.dto';
import { LedgerService } from '../ledger/ledger.service';
import { RechargeRecordPageDto, RechargeRecordQueryDto, ownRechargeRecord } from '../ledger/dto/recharge-record.dto';
import { AuthenticatedUser, CurrentUser } from './auth/authenticated-user';
import { BalanceDto, MeDto } from './dto/user.dto';
import { UsersService } from './users.service';
import { UsersException } from './users.errors';

/** The signed-in user's own data; every query is scoped to the caller's id. */
@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('users')
export class UsersController {
  constructor(
    private readonly users: UsersService,
    private readonly ledger: LedgerService,
    private readonly closing: AccountClosingService,
    private readonly exports: AccountExportService,
  ) {}

  @Get('me')
  @ApiOperation({ summary: 'The signed-in user, with balance' })
  @ApiOkResponse({ type: MeDto })
  async me(@CurrentUser() caller: AuthenticatedUser): Promise<MeDto> {
    const user = await this.users.findById(caller.id);
    if (!user) throw UsersException.notFound(caller.id);
    return MeDto.from(user);
  }

  @Get('balance')
  @ApiOperation({ summary: 'The signed-in user’s balance (USD)' })
  @ApiOkResponse({ type: BalanceDto })
  async balance(@CurrentUser() caller: AuthenticatedUser): Promise<BalanceDto> {
    return { balance: await this.ledger.balanceOf(caller.id), currency: 'USD' };
  }

  @Get('recharge-records')
  @ApiOperation({ summary: 'The signed-in user’s balance changes, newest first' })
  @ApiOkResponse({ type: RechargeRecordPageDto })
  async rechargeRecords(
    @CurrentUser() caller: AuthenticatedUser,
    @Query() query: RechargeRecordQueryDto,
  ): Promise<RechargeRecordPageDto> {
    const page = await this.ledger.list({ userId: caller.id, type: query.type }, query);
    return { ...page, items: page.items.map(ownRechargeRecord) };
  }

  @Get('me/export')
  @ApiOperation({
    summary: 'Download everything kept about the signed-in account (profile, promotion, invites, orders, ledger) as one JSON file',
  })
  @ApiProduces('application/json')
  @ApiOkResponse({ type: AccountExportDto, description: 'Sent as an attachment (Content-Disposition); holds no password hash, token or key' })
  async export(@CurrentUser() caller: AuthenticatedUser): Promise<StreamableFile> {
    return this.exports.export(caller.id);
  }

  @Post('me/close')
  @HttpCode(200)
  @AuthThrottled()
  @ApiOperation({
    summary:
      'Close the signed-in account for good, confirmed by its password: pending orders cancelled, holds released, personal data replaced by a tombstone, every session ended. The balance left is not paid out; it stays recorded.',
  })
  @ApiOkResponse({ type: ClosedAccountDto })
  @ApiForbiddenResponse({ description: 'The password is wrong (USER_PASSWORD_MISMATCH)' })
  @ApiConflictResponse({ description: 'The account is already closed (USER_ACCOUNT_CLOSED), or is an admin’s (USER_ADMIN_NOT_CLOSABLE)' })
  @ApiTooManyRequestsResponse({ description: 'Too many wrong passwords (USER_TOO_MANY_PASSWORD_FAILURES); see Retry-After' })
  async close(@CurrentUser() caller: AuthenticatedUser, @Body() body: CloseOwnAccountDto): Promise<ClosedAccountDto> {
    return this.closing.closeOwn(caller, body.password);
  }
}
