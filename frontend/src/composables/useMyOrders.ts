import { computed, ref, shallowRef, watch } from 'vue';
import { useI18n } from 'vue-i18n';
import { cancelOrder, getOrder, listOrders } from '../api/payment';
import { ApiError } from '../api/http';
import type { Order, OrderStatus, PaymentDisplay } from '../api/types';
import { displayMoney } from '../utils/money';
import { useConfirmAction } from './useConfirmAction';
import { useOrderPolling } from './useOrderPolling';
import { usePagedList } from './usePagedList';
import { resumeDisplayOf, useProviders } from './useProviders';
import { QR_POLL_GRACE_MS, QR_POLL_INTERVAL_MS } from './useRecharge';
import { FOUND_RESULT_DELAY_MS, useResultNavigation } from './useResultNavigation';

/** What the last action came to, in words: `success` when money was credited. */
export interface OrdersNotice {
  text: string;
  tone: 'info' | 'success';
}

/** A pending order whose payment can still be shown: not past its expiry, with somewhere to pay (a page, QR content or an address). */
export function canResume(order: Order, now: number = Date.now()): boolean {
  const expireAt = Date.parse(order.expireAt);
  const payable = !!order.paymentUrl || (!!order.payAddress && !!order.payAmount);
  return order.status === 'pending' && payable && !Number.isNaN(expireAt) && expireAt > now;
}

/**
 * My orders: one page of the user's orders, filtered by status ('' = all);
 * a pending order picked up again (its payment shown, its status polled, the
 * result page once paid); a pending order cancelled after a confirm step,
 * with what came of it said in words.
 */
export function useMyOrders(pageSize = 20) {
  const { t } = useI18n();
  const result = useResultNavigation();
  // The gateways say how each order is paid (and name an address payment's network).
  const providers = useProviders();
  void providers.load();

  const status = ref<OrderStatus | ''>('');
  const list = usePagedList(
    (page, size) => listOrders({ page, pageSize: size, status: status.value === '' ? undefined : status.value }),
    pageSize,
  );
  watch(status, () => void list.load(1));

  const notice = ref<OrdersNotice | null>(null);
  const refresh = (): Promise<void> => list.load();

  // Resume: show the payment again and poll, as the recharge page does right after creating an order.
  const resumed = shallowRef<Order | null>(null);
  const resumedDisplay = ref<PaymentDisplay>('redirect');
  const polling = useOrderPolling({
    intervalMs: QR_POLL_INTERVAL_MS,
    onSettled: (o) => {
      // An address payment first says "we found your payment" for a moment.
      if (o.status === 'paid') result.open(o.orderNo, resumedDisplay.value === 'address' ? FOUND_RESULT_DELAY_MS : 0);
      else void refresh();
    },
  });
  /** The resumed order as last polled (its status, and what was credited once paid). */
  const resumedLatest = computed<Order | null>(() => {
    const polled = polling.order.value;
    const open = resumed.value;
    return open && polled?.orderNo === open.orderNo ? polled : open;
  });
  const resumedStatus = computed<OrderStatus | null>(() => resumedLatest.value?.status ?? null);
  /** The network an address payment is sent on: its gateway's label. */
  const resumedNetwork = computed(() => (resumed.value ? providers.label(resumed.value.provider) : ''));

  /**
   * Shows a pending order's payment as its gateway takes it: the address and
   * exact amount, a QR code, or a button to the payment page.
   */
  async function resume(order: Order): Promise<void> {
    notice.value = null;
    if (!canResume(order)) {
      notice.value = { text: t('orders.expired', { orderNo: order.orderNo }), tone: 'info' };
      void refresh();
      return;
    }
    await providers.load();
    result.cancel();
    resumed.value = order;
    resumedDisplay.value = resumeDisplayOf(order, providers.find(order.provider));
    // Stop a minute after expiry (a late callback still credits; the result page shows it).
    polling.start(order.orderNo, Math.max(0, Date.parse(order.expireAt) - Date.now()) + QR_POLL_GRACE_MS);
  }

  function closeResumed(): void {
    polling.stop();
    result.cancel();
    resumed.value = null;
  }

  /** The panel's countdown reached zero: it says so itself; the list shows the order's new state. */
  function onResumedExpired(): void {
    void refresh();
  }

  function said(order: Order, answer: Order | null): OrdersNotice {
    const orderNo = order.orderNo;
    if (answer === null) return { text: t('orders.notPendingUnknown', { orderNo }), tone: 'info' };
    if (answer.status === 'cancelled') return { text: t('orders.cancelled', { orderNo }), tone: 'info' };
    if (answer.status === 'paid') return { text: t('orders.paidMeanwhile', { orderNo }), tone: 'success' };
    return { text: t('orders.notPending', { orderNo, status: t(`orderStatus.${answer.status}`) }), tone: 'info' };
  }

  /**
   * Cancels after the confirm step. The answer is the order: cancelled, or
   * paid when the gateway had been paid meanwhile. A 409 says it was no
   * longer pending: its current status is asked for and said. Anything else
   * (no answer, a 5xx) stays in the dialog to retry.
   */
  const cancelling = useConfirmAction<Order>(async (order) => {
    let answer: Order | null;
    try {
      answer = await cancelOrder(order.orderNo);
    } catch (err) {
      if (!(err instanceof ApiError && err.code === 'PAYMENT_ORDER_NOT_PENDING')) throw err;
      answer = await getOrder(order.orderNo).catch(() => null);
    }
    notice.value = said(order, answer);
    if (resumed.value?.orderNo === order.orderNo) closeResumed();
    void refresh();
  });

  function askCancel(order: Order): void {
    notice.value = null;
    cancelling.ask(order);
  }

  /** The question in the confirm dialog. */
  const cancelQuestion = computed(() => {
    const o = cancelling.target.value;
    return o ? t('orders.cancelMessage', { orderNo: o.orderNo, amount: displayMoney(o.amountCny, 'CNY').text }) : '';
  });

  return {
    ...list,
    status,
    notice,
    refresh,
    resumed,
    resumedDisplay,
    resumedLatest,
    resumedStatus,
    resumedNetwork,
    paidWith: providers.paidWith,
    resume,
    closeResumed,
    onResumedExpired,
    cancelling,
    askCancel,
    cancelQuestion,
  };
}
