import { http } from './client';
import { withIdempotencyKey } from './http';
import type { Balance, RechargeRecordPage, RechargeRecordQuery, RedeemResult, UserProfile } from './types';

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

/**
 * Redeems a code into the balance (200 with what it added and the new balance).
 * Each call is one submission with its own Idempotency-Key: a retry of a lost
 * answer with the same key is applied once. 404 REDEEM_CODE_INVALID,
 * 409 REDEEM_CODE_ALREADY_REDEEMED, 429 REDEEM_TOO_MANY_FAILURES (Retry-After).
 */
export function redeemCode(code: string, idempotencyKey?: string): Promise<RedeemResult> {
  return http.post<RedeemResult>('/users/redeem', { code }, withIdempotencyKey({}, idempotencyKey));
}
