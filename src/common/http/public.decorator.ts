import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'auth:public';

/** The route needs no bearer token (every other route does). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
