import { createHttpClient } from './http';
import { useAuthStore } from '../stores/auth';
import { router } from '../router';

/**
 * The app's request client: token from the auth store; a 401 on an
 * authenticated request ends the session and sends the user to /login.
 * (Store and router are looked up at call time, so the import cycle
 * store → api → client → store is harmless.)
 */
export const http = createHttpClient({
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
