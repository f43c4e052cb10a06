import { computed } from 'vue';
import { useI18n } from 'vue-i18n';
import type { Order, PaymentDisplay, Provider } from '../api/types';
import { useProvidersStore } from '../stores/providers';
import { paymentDisplayOf } from '../utils/paymentDisplay';

/** A gateway's label in `locale`, else its English one, else its name. */
export function providerLabel(provider: Pick<Provider, 'name' | 'labels'>, locale: string): string {
  const labels = provider.labels as Partial<Record<string, string>> | undefined;
  return labels?.[locale] || labels?.en || provider.name;
}

/**
 * How to show an order's payment again: an order with a receiving address is
 * paid by sending to it; a gateway that always answers QR content shows a QR
 * code; otherwise as it was created on this device, else by the shape of its
 * paymentUrl (see paymentDisplayOf).
 */
export function resumeDisplayOf(
  order: Pick<Order, 'orderNo' | 'paymentUrl' | 'payAddress'>,
  provider: Pick<Provider, 'display'> | undefined,
): PaymentDisplay {
  if (order.payAddress) return 'address';
  if (provider?.display === 'qrcode') return 'qrcode';
  return paymentDisplayOf(order);
}

/**
 * The gateways and their names on screen, in the current language. The lists
 * come from the API (`load` for users, `loadAdmin` for admins); until one is
 * loaded, or for a gateway it does not list, a label is the gateway's name.
 */
export function useProviders() {
  const store = useProvidersStore();
  const { t, te, locale } = useI18n();

  /** The gateway's label: its own (from the API) in the current language. */
  function label(name: string): string {
    const p = store.find(name);
    return p ? providerLabel(p, locale.value) : name;
  }

  /** A method's label: translated when known ("alipay" → "Alipay"), else the method as sent. */
  function methodLabel(method: string): string {
    const key = `methods.${method}`;
    return te(key) ? t(key) : method;
  }

  /** What an order was paid with: its method, else its gateway. */
  function paidWith(order: Pick<Order, 'provider' | 'paymentMethod'>): string {
    return order.paymentMethod ? methodLabel(order.paymentMethod) : label(order.provider);
  }

  /** Loads the enabled gateways; a failure leaves labels as names (nothing else depends on it). */
  async function load(): Promise<void> {
    try {
      await store.load();
    } catch {
      /* labels fall back to names */
    }
  }

  /** Loads every registered gateway (admins); a failure leaves labels as names. */
  async function loadAdmin(): Promise<void> {
    try {
      await store.loadAdmin();
    } catch {
      /* labels fall back to names */
    }
  }

  return {
    providers: computed(() => store.enabled ?? []),
    adminProviders: computed(() => store.all ?? []),
    find: (name: string) => store.find(name),
    label,
    methodLabel,
    paidWith,
    load,
    loadAdmin,
  };
}
