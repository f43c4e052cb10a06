import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { ClaimedKey, Idempotent } from '../common/idempotency/idempotency.interceptor';
import type { IdempotencyClaim } from '../common/idempotency/idempotency.store';
import { AuthenticatedUser, CurrentUser } from '../users/auth/authenticated-user';
import { RedeemCodeDto, RedeemResultDto } from './dto/redeem.dto';
import { RedeemService } from './redeem.service';

@ApiTags('users')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid bearer token' })
@Controller('users')
export class RedeemController {
  constructor(private readonly redeem: RedeemService) {}

  @Idempotent()
  @Post('redeem')
  @HttpCode(200)
  @ApiOperation({ summary: 'Redeem a code into the balance', description: 'Adds the code’s amount as a `redeem` row in the ledger. Each user can redeem a code once.' })
  @ApiOkResponse({ type: RedeemResultDto })
  @ApiNotFoundResponse({ description: 'REDEEM_CODE_INVALID: the code is wrong, used up, disabled or expired (one answer for all four)' })
  @ApiConflictResponse({ description: 'REDEEM_CODE_ALREADY_REDEEMED: you redeemed this code before' })
  @ApiTooManyRequestsResponse({ description: 'REDEEM_TOO_MANY_FAILURES: too many wrong codes from this account or address; see Retry-After' })
  redeemCode(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: RedeemCodeDto,
    @Req() request: FastifyRequest,
    @ClaimedKey() claim: IdempotencyClaim | null,
  ): Promise<RedeemResultDto> {
    return this.redeem.redeem(user.id, body.code, request.ip ?? null, claim);
  }
}
