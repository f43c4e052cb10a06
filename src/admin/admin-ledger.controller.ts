import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
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
import { auditLedger } from '../ledger/ledger-audit';
import { LedgerService } from '../ledger/ledger.service';
import {
  AdminRechargeRecordDto,
  AdminRechargeRecordPageDto,
  AdminRechargeRecordQueryDto,
  RechargeRecordDto,
} from '../ledger/dto/recharge-record.dto';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminLedgerService } from './admin-ledger.service';
import { AuditReportDto } from './dto/audit-report.dto';
import { BalanceAdjustmentDto } from './dto/balance-adjustment.dto';
import { Idempotent } from '../common/idempotency/idempotency.interceptor';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin')
export class AdminLedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly adminLedger: AdminLedgerService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('recharge-records')
  @ApiOperation({ summary: 'The global ledger, newest first, filtered by user, type and creation time' })
  @ApiOkResponse({ type: AdminRechargeRecordPageDto })
  async rechargeRecords(@Query() query: AdminRechargeRecordQueryDto): Promise<AdminRechargeRecordPageDto> {
    const page = await this.ledger.list(query, query);
    return { ...page, items: page.items.map((record) => AdminRechargeRecordDto.from(record)) };
  }

  @Idempotent()
  @Post('users/:id/balance-adjustments')
  @ApiOperation({ summary: 'Credit or debit a user by hand (ledger type admin, audited)' })
  @ApiParam({ name: 'id', description: 'User id', example: '42' })
  @ApiCreatedResponse({ type: RechargeRecordDto })
  @ApiBadRequestResponse({ description: 'Amount or remark invalid' })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'The debit would take the balance below zero' })
  async adjustBalance(
    @CurrentUser() admin: AuthenticatedUser,
    @Param('id', IdParamPipe) userId: string,
    @Body() body: BalanceAdjustmentDto,
  ): Promise<RechargeRecordDto> {
    return RechargeRecordDto.from(await this.adminLedger.adjustBalance(admin, userId, body.amount, body.remark));
  }

  @Get('audit')
  @ApiOperation({ summary: 'Check the ledger invariants of SPEC §5.8 and list every violating row' })
  @ApiOkResponse({ type: AuditReportDto })
  async audit(): Promise<AuditReportDto> {
    const violations = await auditLedger(this.dataSource);
    return { ok: violations.length === 0, violations, checkedAt: new Date().toISOString() };
  }
}
