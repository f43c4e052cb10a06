import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { AuthService, Session } from './auth.service';
import { AuthThrottled } from './auth-throttle';
import { LoginDto, RegisterDto, SessionDto } from './dto/auth.dto';
import { Public } from '../../common/http/public.decorator';

function toSessionDto({ accessToken, user }: Session): SessionDto {
  return { accessToken, user: { id: user.id, email: user.email, username: user.username, role: user.role } };
}

@ApiTags('auth')
@ApiTooManyRequestsResponse({
  description: 'Too many attempts from this address, or (login) too many failed logins for this account (AUTH_TOO_MANY_FAILURES); see Retry-After',
})
@Public()
@Controller('auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @AuthThrottled()
  @ApiOperation({ summary: 'Create an account (optionally with an invite code) and sign in' })
  @ApiCreatedResponse({ type: SessionDto })
  @ApiBadRequestResponse({ description: 'A field is invalid, or the invite code is unknown' })
  @ApiConflictResponse({ description: 'The email or username is taken' })
  async register(@Body() body: RegisterDto, @Req() request: FastifyRequest): Promise<SessionDto> {
    return toSessionDto(await this.auth.register({ ...body, clientIp: request.ip ?? null }));
  }

  @Post('login')
  @AuthThrottled()
  @ApiOperation({ summary: 'Sign in with email and password' })
  @ApiOkResponse({ type: SessionDto })
  @ApiUnauthorizedResponse({ description: 'Wrong email or password' })
  @ApiForbiddenResponse({ description: 'The account is disabled' })
  @HttpCode(200)
  async login(@Body() body: LoginDto): Promise<SessionDto> {
    return toSessionDto(await this.auth.login(body.email, body.password));
  }
}
