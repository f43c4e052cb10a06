import { http } from './client';
import type { UserProfile } from './types';

export function getMe(): Promise<UserProfile> {
  return http.get<UserProfile>('/users/me');
}
