/** What an API key may do, and how one is listed (the key itself is never stored). */
export type ApiKeyScope = 'charges:write' | 'balances:read';
export const API_KEY_SCOPES: readonly ApiKeyScope[] = ['charges:write', 'balances:read'];

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScope[];
  createdBy: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}
