import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtService } from '@nestjs/jwt';
import { UsersService } from '../users.service';
import { UsersException } from '../users.errors';
import { IS_PUBLIC } from '../../common/http/public.decorator';
import { ROLES } from './roles.decorator';
import { UserRole, UserStatus } from '../user.entity';
import { AccessTokenClaims } from './auth.service';
import { annotateSpan } from '../../common/telemetry/telemetry';

/**
 * Global guard: every route needs a valid bearer token unless marked
 * @Public(). The user is read from the database on each request, so a
 * disabled user takes effect at once, and a token issued before a role,
 * password or status change (users.token_version) is refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly jwt: JwtService,
    private readonly users: UsersService,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;

    const request = context.switchToHttp().getRequest();
    const [scheme, token] = String(request.headers.authorization ?? '').split(' ');
    if (scheme !== 'Bearer' || !token) throw UsersException.tokenInvalid();
    let claims: AccessTokenClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessTokenClaims>(token);
    } catch {
      throw UsersException.tokenInvalid();
    }
    const user = await this.users.findSessionUser(claims.sub);
    // A closed account is gone for good: its tokens are simply invalid.
    if (!user || user.status === UserStatus.Closed) throw UsersException.tokenInvalid();
    // Disabled first, so its owner is told why; then a token from before a role, password or status change is refused.
    if (user.status !== UserStatus.Active) throw UsersException.disabled();
    if ((claims.tv ?? 0) !== user.tokenVersion) throw UsersException.tokenInvalid();
    request.user = { id: user.id, email: user.email, username: user.username, role: user.role };
    annotateSpan({ 'enduser.id': user.id });

    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES, targets);
    if (roles && !roles.includes(user.role)) throw UsersException.forbidden();
    return true;
  }
}
