import { http } from './client';
import type { AuthResponse, LoginRequest, RegisterRequest } from './types';

export function register(body: RegisterRequest): Promise<AuthResponse> {
  return http.post<AuthResponse>('/auth/register', body, { auth: false });
}

export function login(body: LoginRequest): Promise<AuthResponse> {
  return http.post<AuthResponse>('/auth/login', body, { auth: false });
}
