import { defineStore } from 'pinia';
import { ref } from 'vue';
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
  let pendingEnabled: Promise<Provider[]> | null = null;
  let pendingAll: Promise<AdminProvider[]> | null = null;

  function load(): Promise<Provider[]> {
    if (enabled.value) return Promise.resolve(enabled.value);
    pendingEnabled ??= getProviders()
      .then((list) => {
        enabled.value = list;
        error.value = null;
        return list;
      })
      .catch((err: unknown) => {
        error.value = err;
        throw err;
      })
      .finally(() => (pendingEnabled = null));
    return pendingEnabled;
  }

  function loadAdmin(): Promise<AdminProvider[]> {
    if (all.value) return Promise.resolve(all.value);
    pendingAll ??= getAdminProviders()
      .then((list) => {
        all.value = list;
        error.value = null;
        return list;
      })
      .catch((err: unknown) => {
        error.value = err;
        throw err;
      })
      .finally(() => (pendingAll = null));
    return pendingAll;
  }

  /** The gateway of this name: from the admin list when loaded (it has the switched-off ones too), else the enabled one. */
  function find(name: string): Provider | undefined {
    return all.value?.find((p) => p.name === name) ?? enabled.value?.find((p) => p.name === name);
  }

  return { enabled, all, error, load, loadAdmin, find };
});
