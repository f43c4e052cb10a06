import { Body, Controller, Get, Param, Post, Query, StreamableFile } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { auditLedger } from '../ledger/ledger-audit';
import { LedgerService } from '../ledger/ledger.service';
import {
  AdminRechargeRecordDto,
  AdminRechargeRecordExportQueryDto,
  AdminRechargeRecordPageDto,
  AdminRechargeRecordQueryDto,
  RechargeRecordDto,
} from '../ledger/dto/recharge-record.dto';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminExportsService } from './admin-exports.service';
import { AdminLedgerService } from './admin-ledger.service';
import { AuditReportDto } from './dto/audit-report.dto';
import { BalanceAdjustmentDto } from './dto/balance-adjustment.dto';
import { ClaimedKey, Idempotent } from '../common/idempotency/idempotency.interceptor';
import type { IdempotencyClaim } from '../common/idempotency/idempotency.store';

@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin')
export class AdminLedgerController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly adminLedger: AdminLedgerService,
    private readonly exports: AdminExportsService,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  @Get('recharge-records')
  @ApiOperation({ summary: 'The global ledger, newest first, filtered by user, type and creation time' })
  @ApiOkResponse({ type: AdminRechargeRecordPageDto })
  async rechargeRecords(@Query() query: AdminRechargeRecordQueryDto): Promise<AdminRechargeRecordPageDto> {
    const page = await this.ledger.list(query, query);
    return { ...page, items: page.items.map((record) => AdminRechargeRecordDto.from(record)) };
  }

  @Get('recharge-records.csv')
  @ApiOperation({
    summary: 'The filtered global ledger as a CSV download (audited)',
    description:
      'Takes the ledger list’s filters (without paging) and streams every matching row, newest first: UTF-8 with a byte-order ' +
      'mark, a header row, signed amounts as plain decimals, times in UTC. Text cells that a spreadsheet would read as a formula ' +
      '(starting with = + - @) begin with an apostrophe.',
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'The CSV file', schema: { type: 'string' } })
  exportRechargeRecords(@CurrentUser() admin: AuthenticatedUser, @Query() query: AdminRechargeRecordExportQueryDto): Promise<StreamableFile> {
    return this.exports.ledger(admin, query);
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
    @ClaimedKey() claim: IdempotencyClaim | null,
  ): Promise<RechargeRecordDto> {
    return this.adminLedger.adjustBalance(admin, userId, body.amount, body.remark, claim);
  }

  @Get('audit')
  @ApiOperation({
    summary: 'Check the ledger invariants and list every violating row',
    description: 'Balances equal the sum of their ledger rows, each row continues its user’s chain, every paid order, bonus, reward, charge, hold and redemption has exactly the ledger rows it should.',
  })
  @ApiOkResponse({ type: AuditReportDto })
  async audit(): Promise<AuditReportDto> {
    const violations = await auditLedger(this.dataSource);
    return { ok: violations.length === 0, violations, checkedAt: new Date().toISOString() };
  }
}
