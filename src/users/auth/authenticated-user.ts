import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { UserRole } from '../user.entity';

/** Who is calling, as the auth guard found them in the database on this request. */
export interface AuthenticatedUser {
  id: string;
  email: string;
  username: string;
  role: UserRole;
}

export const CurrentUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): AuthenticatedUser => context.switchToHttp().getRequest().user,
);
