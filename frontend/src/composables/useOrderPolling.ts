import { onScopeDispose, ref } from 'vue';
import { getOrder } from '../api/payment';
import { ApiError } from '../api/http';
import { TERMINAL_ORDER_STATUSES, type Order } from '../api/types';

export interface OrderPollingOptions {
  /** Pause between the end of one request and the next. */
  intervalMs: number;
  /** Give up after this long (then `timedOut` is true); no limit when absent. */
  timeoutMs?: number;
  /** Called once when the order reaches a final status. */
  onSettled?: (order: Order) => void;
}

/**
 * Polls GET /payment/orders/:orderNo until the order is paid, failed, expired
 * or refunded, or the time limit passes. Requests never overlap (the next one
 * is scheduled after the previous answer); a network error or 5xx is retried,
 * a 401/403/404 stops. Stops by itself when the component goes away.
 */
export function useOrderPolling(options: OrderPollingOptions) {
  const order = ref<Order | null>(null);
  const error = ref<unknown>(null);
  const polling = ref(false);
  const timedOut = ref(false);

  let run = 0; // bumped by start/stop, so a late answer of an old run is ignored
  let timer: ReturnType<typeof setTimeout> | undefined;

  function stop(): void {
    run += 1;
    polling.value = false;
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  }

  /** Starts (or restarts) polling; `timeoutMs` overrides the option for this run. */
  function start(orderNo: string, timeoutMs: number | undefined = options.timeoutMs): void {
    stop();
    const current = run;
    const startedAt = Date.now();
    polling.value = true;
    timedOut.value = false;
    error.value = null;

    const tick = async (): Promise<void> => {
      try {
        const o = await getOrder(orderNo);
        if (current !== run) return;
        order.value = o;
        error.value = null;
        if (TERMINAL_ORDER_STATUSES.includes(o.status)) {
          stop();
          options.onSettled?.(o);
          return;
        }
      } catch (err) {
        if (current !== run) return;
        error.value = err;
        if (err instanceof ApiError && [401, 403, 404].includes(err.status)) {
          stop();
          return;
        }
      }
      if (timeoutMs !== undefined && Date.now() - startedAt >= timeoutMs) {
        timedOut.value = true;
        stop();
        return;
      }
      timer = setTimeout(() => void tick(), options.intervalMs);
    };
    void tick();
  }

  onScopeDispose(stop);
  return { order, error, polling, timedOut, start, stop };
}
