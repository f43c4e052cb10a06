import type { Router } from 'vue-router';
import { configureSession } from './api/client';
import { useAuthStore } from './stores/auth';

/**
 * Wires the request client to the auth store and the router. The token is read from
 * the store at call time; a 401 on an authenticated request ends the session and goes
 * to /login, with the page to come back to when that page needs a session.
 */
export function connectApiSession(router: Router): void {
  configureSession({
    getToken: () => useAuthStore().token,
    onUnauthorized: () => {
      useAuthStore().clearSession();
      const current = router.currentRoute.value;
      if (current.name !== 'login') {
        void router.replace({
          name: 'login',
          query: current.meta.requiresAuth && current.fullPath !== '/' ? { redirect: current.fullPath } : {},
        });
      }
    },
  });
}
