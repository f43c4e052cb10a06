import { http } from './client';
import type { PromotionStatus } from './types';

export function getPromotionStatus(): Promise<PromotionStatus> {
  return http.get<PromotionStatus>('/users/promotion/status');
}
