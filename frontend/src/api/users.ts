import { http } from './client';
import type { Balance, RechargeRecordPage, RechargeRecordQuery, UserProfile } from './types';

export function getMe(): Promise<UserProfile> {
  return http.get<UserProfile>('/users/me');
}

export function getBalance(): Promise<Balance> {
  return http.get<Balance>('/users/balance');
}

/** The signed-in user's ledger, newest first. */
export function listRechargeRecords(query: RechargeRecordQuery = {}): Promise<RechargeRecordPage> {
  return http.get<RechargeRecordPage>('/users/recharge-records', { query });
}
