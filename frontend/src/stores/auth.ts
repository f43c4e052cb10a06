import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import * as authApi from '../api/auth';
import * as usersApi from '../api/users';
import type { AuthResponse, AuthUser, LoginRequest, RegisterRequest, UserProfile } from '../api/types';

export const TOKEN_STORAGE_KEY = 'recharge.token';

function readToken(): string | null {
  try {
    return localStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null; // storage disabled (privacy mode): session lasts for the tab
  }
}

function writeToken(token: string | null): void {
  try {
    if (token) localStorage.setItem(TOKEN_STORAGE_KEY, token);
    else localStorage.removeItem(TOKEN_STORAGE_KEY);
  } catch {
    /* storage disabled */
  }
}

export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(readToken());
  /** Who is signed in (from login/register, refreshed by loadMe). */
  const user = ref<AuthUser | null>(null);
  /** The full profile with balance, after loadMe. */
  const profile = ref<UserProfile | null>(null);

  const isAuthenticated = computed(() => token.value !== null);
  const isAdmin = computed(() => user.value?.role === 'admin');
  let pendingMe: Promise<UserProfile> | null = null;

  function setSession(res: AuthResponse): void {
    token.value = res.accessToken;
    user.value = res.user;
    profile.value = null;
    writeToken(res.accessToken);
  }

  function clearSession(): void {
    token.value = null;
    user.value = null;
    profile.value = null;
    writeToken(null);
  }

  async function login(body: LoginRequest): Promise<void> {
    setSession(await authApi.login(body));
  }

  async function register(body: RegisterRequest): Promise<void> {
    setSession(await authApi.register(body));
  }

  async function loadMe(): Promise<UserProfile> {
    const me = await usersApi.getMe();
    profile.value = me;
    user.value = { id: me.id, email: me.email, username: me.username, role: me.role };
    return me;
  }

  /**
   * Who is signed in, asking the API only when not yet known (after a reload
   * the token is remembered, the user is not). Concurrent callers share one request.
   */
  async function ensureUser(): Promise<AuthUser | null> {
    if (!isAuthenticated.value) return null;
    if (user.value) return user.value;
    pendingMe ??= loadMe().finally(() => (pendingMe = null));
    await pendingMe;
    return user.value;
  }

  function logout(): void {
    clearSession();
  }

  return { token, user, profile, isAuthenticated, isAdmin, login, register, loadMe, ensureUser, logout, clearSession };
});
