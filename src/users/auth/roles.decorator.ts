import { SetMetadata, applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse } from '@nestjs/swagger';
import { UserRole } from '../user.entity';

export const ROLES = 'auth:roles';

/** Only users with one of these roles may call the route (403 otherwise). */
export const Roles = (...roles: UserRole[]) =>
  applyDecorators(SetMetadata(ROLES, roles), ApiForbiddenResponse({ description: `Requires role: ${roles.join(', ')}` }));
