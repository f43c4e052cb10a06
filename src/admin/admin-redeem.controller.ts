import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DataSource } from 'typeorm';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { PageQueryDto } from '../common/http/page.dto';
import { CreatedRedeemBatchDto, CreateRedeemBatchDto, RedeemBatchDto, RedeemBatchPageDto } from '../redeem/dto/redeem.dto';
import { RedeemService } from '../redeem/redeem.service';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { Roles } from '../users/auth/roles.decorator';
import { UserRole } from '../users/user.entity';
import { AdminAuditService, AuditAction, AuditTarget } from './admin-audit.service';

const wantsCsv = (request: FastifyRequest) => /\btext\/csv\b/.test(String(request.headers.accept ?? ''));

/** A batch's codes as a spreadsheet, one row per code; cells starting like a formula are escaped. */
function toCsv(batch: CreatedRedeemBatchDto): string {
  const expires = batch.expiresAt ? batch.expiresAt.toISOString() : '';
  return stringify(
    [['code', 'amount_usd', 'max_redemptions', 'expires_at', 'batch_id', 'note'], ...batch.codes.map((code) => [code, batch.amountUsd, batch.maxRedemptions, expires, batch.batchId, batch.note])],
    { escape_formulas: true },
  );
}

/** Redeem-code batches: create (codes shown once), usage, disable; each change audited. */
@ApiTags('admin')
@ApiBearerAuth()
@Roles(UserRole.Admin)
@Controller('admin')
export class AdminRedeemController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly redeem: RedeemService,
    private readonly audit: AdminAuditService,
  ) {}

  @Post('redeem-codes')
  @ApiOperation({
    summary: 'Create a batch of redeem codes',
    description:
      'The codes are in this answer only (they are stored hashed): keep it. Send `Accept: text/csv` to get them as a CSV file ' +
      '(code, amount_usd, max_redemptions, expires_at, batch_id, note) instead of JSON.',
  })
  @ApiProduces('application/json', 'text/csv')
  @ApiCreatedResponse({ type: CreatedRedeemBatchDto })
  async create(
    @CurrentUser() admin: AuthenticatedUser,
    @Body() body: CreateRedeemBatchDto,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<CreatedRedeemBatchDto | string> {
    const created = await this.dataSource.transaction(async (em) => {
      const { batch, codes } = await this.redeem.createBatch(
        em,
        { count: body.count, amountUsd: body.amountUsd, expiresAt: body.expiresAt ?? null, maxRedemptions: body.maxRedemptions ?? 1, note: body.note },
        admin.id,
      );
      await this.audit.record(em, admin, {
        action: AuditAction.RedeemBatchCreate,
        targetType: AuditTarget.RedeemBatch,
        targetId: batch.id,
        after: { count: batch.codeCount, amountUsd: batch.amountUsd, maxRedemptions: batch.maxRedemptions, expiresAt: batch.expiresAt, note: batch.note },
      });
      const dto: CreatedRedeemBatchDto = {
        batchId: batch.id,
        amountUsd: batch.amountUsd,
        maxRedemptions: batch.maxRedemptions,
        expiresAt: batch.expiresAt,
        note: batch.note,
        codes,
      };
      return dto;
    });
    if (!wantsCsv(request)) return created;
    reply.header('content-type', 'text/csv; charset=utf-8');
    reply.header('content-disposition', `attachment; filename="redeem-batch-${created.batchId}.csv"`);
    return toCsv(created);
  }

  @Get('redeem-batches')
  @ApiOperation({ summary: 'Redeem-code batches, newest first, with their usage' })
  @ApiOkResponse({ type: RedeemBatchPageDto })
  listBatches(@Query() query: PageQueryDto): Promise<RedeemBatchPageDto> {
    return this.redeem.listBatches(query);
  }

  @Post('redeem-batches/:id/disable')
  @HttpCode(200)
  @ApiOperation({ summary: 'Disable a batch', description: 'None of its codes can be redeemed from now on; redemptions already made stay.' })
  @ApiParam({ name: 'id', example: '12' })
  @ApiOkResponse({ type: RedeemBatchDto })
  @ApiNotFoundResponse({ description: 'No such batch' })
  disable(@CurrentUser() admin: AuthenticatedUser, @Param('id', IdParamPipe) id: string): Promise<RedeemBatchDto> {
    return this.dataSource.transaction(async (em) => {
      const batch = await this.redeem.disableBatch(em, id);
      await this.audit.record(em, admin, { action: AuditAction.RedeemBatchDisable, targetType: AuditTarget.RedeemBatch, targetId: id, after: { disabledAt: batch.disabledAt } });
      return batch;
    });
  }
}
