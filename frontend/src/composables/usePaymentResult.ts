import { computed } from 'vue';
import { useOrderPolling } from './useOrderPolling';

/** The result page asks every 2 s … */
export const RESULT_POLL_INTERVAL_MS = 2000;
/** … for about two minutes, then offers "check again". */
export const RESULT_POLL_TIMEOUT_MS = 120_000;

/**
 * The payment result page (where a gateway's checkout sends the user
 * back): polls the order until it is final or the time is up.
 */
export function usePaymentResult(orderNo: string | null) {
  const polling = useOrderPolling({ intervalMs: RESULT_POLL_INTERVAL_MS, timeoutMs: RESULT_POLL_TIMEOUT_MS });
  const status = computed(() => polling.order.value?.status ?? null);

  function check(): void {
    if (orderNo) polling.start(orderNo);
  }

  return { ...polling, status, check };
}
