import { http } from './client';
import type { InviteePage, InviteeQuery, ReferralInfo } from './types';

export function getReferralInfo(): Promise<ReferralInfo> {
  return http.get<ReferralInfo>('/users/referral/info');
}

export function listInvitees(query: InviteeQuery = {}): Promise<InviteePage> {
  return http.get<InviteePage>('/users/referral/invitees', { query });
}
