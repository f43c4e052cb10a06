import { onScopeDispose } from 'vue';
import { useRouter } from 'vue-router';

/**
 * How long the address panel shows "We found your payment" before the result
 * page opens by itself (the panel links to it meanwhile).
 */
export const FOUND_RESULT_DELAY_MS = 3000;

/**
 * Opens the payment result page of an order, now or after a moment; a pending
 * delayed opening is dropped by `cancel` or when the component goes away.
 */
export function useResultNavigation() {
  const router = useRouter();
  let timer: ReturnType<typeof setTimeout> | undefined;

  function cancel(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  function open(orderNo: string, delayMs = 0): void {
    cancel();
    const go = () => void router.push({ name: 'payment-result', query: { out_trade_no: orderNo } });
    if (delayMs <= 0) go();
    else
      timer = setTimeout(() => {
        timer = undefined;
        go();
      }, delayMs);
  }

  onScopeDispose(cancel);
  return { open, cancel };
}
