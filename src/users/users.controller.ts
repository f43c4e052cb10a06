import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
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
}
