import { Body, Controller, Get, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiPaymentRequiredResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdParamPipe } from '../common/http/id-param.pipe';
import { ClaimedKey, Idempotent, idempotencyKeyOf } from '../common/idempotency/idempotency.interceptor';
import type { IdempotencyClaim } from '../common/idempotency/idempotency.store';
import { toUsd } from '../common/money/money';
import { RequireScope, ServiceApi, ServiceRequest } from './api-key.guard';
import { ChargesService } from './charges.service';
import {
  AccountBalanceDto,
  CaptureHoldDto,
  CaptureResultDto,
  ChargeDto,
  ChargeRefundDto,
  CreateChargeDto,
  CreateHoldDto,
  HoldDto,
  RefundChargeDto,
} from './dto/spending.dto';
import { HoldsService } from './holds.service';
import { LedgerService } from '../ledger/ledger.service';
import { SpendingException } from './spending.errors';

const INSUFFICIENT = 'The available balance (balance − active holds) does not cover it; `details.available` says how much is';

/**
 * The service API for the product's other services: charge a user's
 * balance, reserve and capture, read balances. API keys only; every POST
 * needs an Idempotency-Key (a retry with the same key and body gets the
 * first answer, status and body).
 */
@ApiTags('service API')
@ServiceApi()
@Controller('v1')
export class SpendingController {
  constructor(
    private readonly charges: ChargesService,
    private readonly holds: HoldsService,
    private readonly ledger: LedgerService,
  ) {}

  @Post('charges')
  @RequireScope('charges:write')
  @ApiOperation({
    summary: 'Charge a user’s balance',
    description:
      'One `deduct` row in the user’s ledger, with the description. Concurrent charges of one user are applied together, ' +
      'each answered after its commit.',
  })
  @ApiHeader({ name: 'Idempotency-Key', required: true, schema: { type: 'string', maxLength: 255, pattern: '^[\\x21-\\x7e]+$' } })
  @ApiCreatedResponse({ type: ChargeDto })
  @ApiPaymentRequiredResponse({ description: INSUFFICIENT })
  @ApiNotFoundResponse({ description: 'No such user' })
  @ApiConflictResponse({ description: 'A request with this Idempotency-Key is still running' })
  @ApiUnprocessableEntityResponse({ description: 'The Idempotency-Key was used before with another body' })
  async charge(
    @Req() request: FastifyRequest & ServiceRequest,
    @Body() body: CreateChargeDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<unknown> {
    const idempotency = idempotencyKeyOf(request, true)!;
    const answer = await this.charges.charge({
      userId: body.userId,
      amountUsd: toUsd(body.amountUsd),
      description: body.description,
      metadata: body.metadata ?? null,
      apiKeyId: request.apiKey.id,
      idempotency,
      requestId: String(request.id),
    });
    reply.status(answer.status);
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    if (answer.status === 402) reply.header('content-type', 'application/json; charset=utf-8');
    return answer.body;
  }

  @Get('charges/:id')
  @RequireScope('charges:write')
  @ApiOperation({ summary: 'A charge, with what was refunded of it' })
  @ApiParam({ name: 'id', example: '1001' })
  @ApiOkResponse({ type: ChargeDto })
  @ApiNotFoundResponse({ description: 'No such charge' })
  getCharge(@Param('id', IdParamPipe) id: string): Promise<ChargeDto> {
    return this.charges.find(id);
  }

  @Post('charges/:id/refunds')
  @Idempotent({ required: true })
  @RequireScope('charges:write')
  @ApiOperation({ summary: 'Give back all or part of a charge', description: 'A positive `deduct` row; the refunds of a charge never exceed it.' })
  @ApiParam({ name: 'id', example: '1001' })
  @ApiCreatedResponse({ type: ChargeRefundDto })
  @ApiNotFoundResponse({ description: 'No such charge' })
  @ApiConflictResponse({ description: 'More than is left of the charge, or the Idempotency-Key is still running' })
  refund(@Param('id', IdParamPipe) id: string, @Body() body: RefundChargeDto, @ClaimedKey() claim: IdempotencyClaim | null): Promise<ChargeRefundDto> {
    return this.charges.refund(id, body.amountUsd, claim);
  }

  @Get('balances/:userId')
  @RequireScope('balances:read')
  @ApiOperation({ summary: 'A user’s balance, what holds reserve of it, and what is available' })
  @ApiParam({ name: 'userId', example: '42' })
  @ApiOkResponse({ type: AccountBalanceDto })
  @ApiNotFoundResponse({ description: 'No such user' })
  async balance(@Param('userId', IdParamPipe) userId: string): Promise<AccountBalanceDto> {
    const holdings = await this.ledger.holdingsOf(userId).catch(() => {
      throw SpendingException.userNotFound(userId);
    });
    return { userId, ...holdings };
  }

  @Post('holds')
  @Idempotent({ required: true })
  @RequireScope('charges:write')
  @ApiOperation({ summary: 'Reserve part of a user’s balance', description: 'Captured later as one charge, released, or released by itself when it expires.' })
  @ApiCreatedResponse({ type: HoldDto })
  @ApiPaymentRequiredResponse({ description: INSUFFICIENT })
  @ApiNotFoundResponse({ description: 'No such user' })
  createHold(@Req() request: FastifyRequest & ServiceRequest, @Body() body: CreateHoldDto, @ClaimedKey() claim: IdempotencyClaim | null): Promise<HoldDto> {
    return this.holds.create(request.apiKey.id, body, claim);
  }

  @Get('holds/:id')
  @RequireScope('charges:write')
  @ApiOperation({ summary: 'A hold' })
  @ApiParam({ name: 'id', example: '55' })
  @ApiOkResponse({ type: HoldDto })
  @ApiNotFoundResponse({ description: 'No such hold' })
  getHold(@Param('id', IdParamPipe) id: string): Promise<HoldDto> {
    return this.holds.find(id);
  }

  @Post('holds/:id/capture')
  @Idempotent({ required: true })
  @RequireScope('charges:write')
  @ApiOperation({ summary: 'Charge at most the amount held; the rest is released' })
  @ApiParam({ name: 'id', example: '55' })
  @ApiCreatedResponse({ type: CaptureResultDto })
  @ApiNotFoundResponse({ description: 'No such hold' })
  @ApiConflictResponse({ description: 'The hold is no longer active (captured, released or expired)' })
  capture(@Param('id', IdParamPipe) id: string, @Body() body: CaptureHoldDto, @ClaimedKey() claim: IdempotencyClaim | null): Promise<CaptureResultDto> {
    return this.holds.capture(id, body.amountUsd, claim);
  }

  @Post('holds/:id/release')
  @HttpCode(200)
  @Idempotent({ required: true })
  @RequireScope('charges:write')
  @ApiOperation({ summary: 'Give the reservation back' })
  @ApiParam({ name: 'id', example: '55' })
  @ApiOkResponse({ type: HoldDto })
  @ApiNotFoundResponse({ description: 'No such hold' })
  @ApiConflictResponse({ description: 'The hold is no longer active' })
  release(@Param('id', IdParamPipe) id: string, @ClaimedKey() claim: IdempotencyClaim | null): Promise<HoldDto> {
    return this.holds.release(id, claim);
  }
}
