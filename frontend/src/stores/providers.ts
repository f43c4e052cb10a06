import { defineStore } from 'pinia';
import { ref, type Ref } from 'vue';
import { getProviders } from '../api/payment';
import { getAdminProviders } from '../api/admin';
import type { AdminProvider, Provider } from '../api/types';

/**
 * The payment gateways, as the API names them: the web app knows none by
 * itself. Each list is asked for once per session (concurrent callers share
 * the request); a failed request is asked again by the next caller.
 */
export const useProvidersStore = defineStore('providers', () => {
  /** GET /api/payment/providers: the gateways a user can pay with now. */
  const enabled = ref<Provider[] | null>(null);
  /** GET /api/admin/payment/providers: every registered gateway (admins only). */
  const all = ref<AdminProvider[] | null>(null);
  const error = ref<unknown>(null);

  /** Loads a list once: a cached list is answered at once, concurrent callers share the request, a failure is asked again next time. */
  function loadOnce<T>(cache: Ref<T[] | null>, fetch: () => Promise<T[]>): () => Promise<T[]> {
    let pending: Promise<T[]> | null = null;
    return () => {
      if (cache.value) return Promise.resolve(cache.value);
      pending ??= fetch()
        .then((list) => {
          cache.value = list;
          error.value = null;
          return list;
        })
        .catch((err: unknown) => {
          error.value = err;
          throw err;
        })
        .finally(() => (pending = null));
      return pending;
    };
  }

  const load = loadOnce(enabled, getProviders);
  const loadAdmin = loadOnce(all, getAdminProviders);

  /** The gateway of this name: from the admin list when loaded (it has the switched-off ones too), else the enabled one. */
  function find(name: string): Provider | undefined {
    return all.value?.find((p) => p.name === name) ?? enabled.value?.find((p) => p.name === name);
  }

  return { enabled, all, error, load, loadAdmin, find };
});
