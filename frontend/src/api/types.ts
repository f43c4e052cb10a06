/**
 * API shapes (SPEC §3a). Hand-written for now; to be replaced by types
 * generated from the backend's OpenAPI document (/api/docs-json).
 * Money is always a decimal string — never a JS number.
 */

export type Role = 'user' | 'admin';
export type UserStatus = 'active' | 'disabled';

/** The user as returned with a token by register / login. */
export interface AuthUser {
  id: string;
  email: string;
  username: string;
  role: Role;
}

export interface AuthResponse {
  accessToken: string;
  user: AuthUser;
}

export interface RegisterRequest {
  email: string;
  username: string;
  password: string;
  inviteCode?: string;
}

export interface LoginRequest {
  email: string;
  password: string;
}

/** GET /api/users/me */
export interface UserProfile extends AuthUser {
  status: UserStatus;
  /** USD, decimal string with up to 8 decimals, e.g. "12.50000000". */
  balance: string;
  /** ISO-8601 UTC. */
  createdAt: string;
}

/** The error body every API error answers with. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  /** A list of field errors for some 400s. */
  message: string | string[];
  requestId: string;
  code?: string;
}
