import { http } from './client';
import { withIdempotencyKey, type DownloadedFile } from './http';
import type { Balance, ClosedAccount, RechargeRecordPage, RechargeRecordQuery, RedeemResult, UserProfile } from './types';

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

/** Everything kept about the signed-in account, as the JSON file the server names (recharge-data-<id>-<time>.json). */
export function downloadMyData(): Promise<DownloadedFile> {
  return http.getFile('/users/me/export');
}

/**
 * Closes the signed-in account for good, confirmed by its password. 403
 * USER_PASSWORD_MISMATCH for a wrong one (the session stays), 429
 * USER_TOO_MANY_PASSWORD_FAILURES after several, 409 USER_ADMIN_NOT_CLOSABLE
 * for an admin. Afterwards every token of the account is refused.
 */
export function closeMyAccount(password: string): Promise<ClosedAccount> {
  return http.post<ClosedAccount>('/users/me/close', { password });
}
