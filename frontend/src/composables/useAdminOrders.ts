import { reactive, ref, shallowRef, type Ref } from 'vue';
import {
  confirmAdminOrder,
  exportAdminOrdersCsv,
  getAdminOrder,
  listAdminOrders,
  refundAdminOrder,
  resolveDuplicatePayments,
  resolveRefund,
} from '../api/admin';
import { ApiError } from '../api/http';
import { ATTENTION_OUTCOMES, WRONG_AMOUNT_OUTCOMES } from '../api/types';
import type {
  AdminOrderDetail,
  AdminOrderQuery,
  OrderStatus,
  ProviderName,
  Refund,
  RefundOutcome,
  RefundResult,
  WebhookEvent,
  WebhookOutcome,
} from '../api/types';
import { localDayBoundary } from '../utils/time';
import { useLatestLoad } from './useLatestLoad';
import { usePagedList } from './usePagedList';

/** The filter bar as typed: '' = any; dates are date-input values ("YYYY-MM-DD", local days). */
export interface OrderFilters {
  status: OrderStatus | '';
  provider: ProviderName | '';
  email: string;
  q: string;
  createdFrom: string;
  createdTo: string;
  /** Only orders an admin must act on (a second payment arrived, or a refund is stuck). */
  attention: boolean;
}

export function emptyOrderFilters(): OrderFilters {
  return { status: '', provider: '', email: '', q: '', createdFrom: '', createdTo: '', attention: false };
}

/** The filter bar → the list's query parameters (blank fields left out; "to" includes its whole day). */
export function orderFiltersToQuery(f: OrderFilters): AdminOrderQuery {
  const text = (v: string) => (v.trim() === '' ? undefined : v.trim());
  return {
    status: f.status === '' ? undefined : f.status,
    provider: f.provider === '' ? undefined : f.provider,
    email: text(f.email),
    q: text(f.q),
    createdFrom: localDayBoundary(f.createdFrom),
    createdTo: localDayBoundary(f.createdTo, true),
    // Unticked means "any order", not "only orders that need nothing": left out.
    attention: f.attention ? true : undefined,
  };
}

/**
 * The admin orders page: filters applied on search, one page of orders, and
 * which order the detail panel shows.
 */
export function useAdminOrders(pageSize = 20) {
  const filters = reactive<OrderFilters>(emptyOrderFilters());
  let applied: AdminOrderQuery = {};
  const list = usePagedList((page, size) => listAdminOrders({ ...applied, page, pageSize: size }), pageSize);

  function search(): Promise<void> {
    applied = orderFiltersToQuery(filters);
    return list.load(1);
  }

  function resetFilters(): Promise<void> {
    Object.assign(filters, emptyOrderFilters());
    return search();
  }

  const selected = ref<string | null>(null);
  /** The orders listed (the filters last searched, "needs attention" included) as a CSV file; no paging. */
  const exportCsv = () => exportAdminOrdersCsv(applied);
  return { ...list, filters, search, resetFilters, selected, exportCsv };
}

/** The order shown in the detail panel; a late answer for an order no longer shown is dropped. */
export function useOrderDetail() {
  const orderNo = ref<string | null>(null);
  const data = shallowRef<AdminOrderDetail | null>(null);
  const { loading, error, run, invalidate } = useLatestLoad();

  function load(): Promise<void> {
    const no = orderNo.value;
    if (no === null) return Promise.resolve();
    return run(
      () => getAdminOrder(no),
      (res) => {
        data.value = res;
      },
    );
  }

  function open(no: string): Promise<void> {
    if (orderNo.value !== no) data.value = null;
    orderNo.value = no;
    return load();
  }

  function close(): void {
    invalidate();
    orderNo.value = null;
    data.value = null;
    error.value = null;
  }

  /** An answer that already carries the fresh detail (confirm, second payments resolved, refund settled). */
  function replace(fresh: AdminOrderDetail): void {
    invalidate();
    data.value = fresh;
  }

  return { orderNo, data, loading, error, open, close, load, replace };
}

export type OrderActionKind = 'confirm' | 'refund' | 'resolveDuplicates' | 'resolveRefund';

/** Second payments not yet marked refunded at the gateway. */
export function unresolvedDuplicates(detail: AdminOrderDetail | null): WebhookEvent[] {
  return detail?.events.filter((ev) => ev.outcome === 'duplicate_payment' && ev.resolvedAt === null) ?? [];
}

/** Payments of another amount than the order asked for (underpaid, overpaid), not yet marked dealt with. */
export function unresolvedWrongAmounts(detail: AdminOrderDetail | null): WebhookEvent[] {
  return detail?.events.filter((ev) => WRONG_AMOUNT_OUTCOMES.includes(ev.outcome as WebhookOutcome) && ev.resolvedAt === null) ?? [];
}

/** Refunds the gateway failed after confirming them (the order is paid again), not yet marked dealt with. */
export function unresolvedRefundFailures(detail: AdminOrderDetail | null): WebhookEvent[] {
  return detail?.events.filter((ev) => ev.outcome === 'refund_failed' && ev.resolvedAt === null) ?? [];
}

/**
 * Every gateway news not yet marked dealt with (second payments, payments of
 * another amount, refunds failed after they were confirmed): what keeps such
 * an order flagged, and what one "resolve" call (the duplicate-payments
 * endpoint) marks dealt with.
 */
export function unresolvedAttentionEvents(detail: AdminOrderDetail | null): WebhookEvent[] {
  return detail?.events.filter((ev) => ATTENTION_OUTCOMES.includes(ev.outcome as WebhookOutcome) && ev.resolvedAt === null) ?? [];
}

/** The refund the gateway has not confirmed yet (the newest pending one), if any. */
export function pendingRefund(detail: AdminOrderDetail | null): Refund | null {
  const pending = detail?.refunds.filter((r) => r.status === 'pending') ?? [];
  return pending.at(-1) ?? null;
}

/** The error code that lets an admin retry a refund with force: true. */
export const REFUND_BALANCE_TOO_LOW = 'ADMIN_REFUND_BALANCE_TOO_LOW';
/** The gateway refused a refund: the order is paid again, with a reversed refund row to show. */
export const REFUND_GATEWAY_FAILED = 'ADMIN_REFUND_GATEWAY_FAILED';
/** Nothing left to resolve: another admin got there first, so what is shown is out of date. */
export const NO_DUPLICATE_PAYMENT = 'PAYMENT_NO_DUPLICATE_PAYMENT';
/** No refund left to settle: the background job or another admin finished it, so what is shown is out of date. */
export const NO_REFUND_UNDER_WAY = 'PAYMENT_NO_REFUND_UNDER_WAY';

/** A 202 refund: the user is debited but the gateway has not confirmed (a background job finishes it). */
export function refundUnderWay(result: RefundResult): boolean {
  return result.order.status === 'refunding';
}

/**
 * The confirm / refund / resolve-second-payments / settle-refund dialog of the
 * order in `detail`. A remark is required (checked before any request). Confirm
 * can grant the new-user bonus to a late payment. A refund the balance no
 * longer covers offers "refund anyway", which resends with force: true.
 * Settling a refund needs an explicit outcome, never a default: a wrong one
 * leaves the user unpaid or pays them twice. On success the dialog closes and
 * `onDone` refreshes what is shown.
 */
export function useOrderAction(detail: ReturnType<typeof useOrderDetail>, onDone: () => Promise<void> | void) {
  const kind = ref<OrderActionKind | null>(null);
  const remark = ref('');
  const force = ref(false);
  const grantBonus = ref(false);
  const offerForce = ref(false);
  const refundOutcome = ref<RefundOutcome | null>(null);
  const submitting = ref(false);
  /** 'remarkRequired', 'outcomeRequired', or the failed call. */
  const error: Ref<'remarkRequired' | 'outcomeRequired' | unknown> = ref(null);
  /** What the last successful action did, for a notice in the panel. */
  const done = shallowRef<
    | { kind: 'confirm' | 'resolveDuplicates' }
    | { kind: 'refund'; result: RefundResult }
    | { kind: 'resolveRefund'; outcome: RefundOutcome }
    | null
  >(null);

  function start(k: OrderActionKind): void {
    kind.value = k;
    remark.value = '';
    force.value = false;
    grantBonus.value = false;
    offerForce.value = false;
    refundOutcome.value = null;
    error.value = null;
    done.value = null;
  }

  function cancel(): void {
    if (submitting.value) return;
    kind.value = null;
  }

  async function submit(): Promise<boolean> {
    const orderNo = detail.orderNo.value;
    const k = kind.value;
    if (orderNo === null || k === null || submitting.value) return false;
    const outcome = refundOutcome.value;
    if (k === 'resolveRefund' && outcome === null) {
      error.value = 'outcomeRequired';
      return false;
    }
    const text = remark.value.trim();
    if (text === '') {
      error.value = 'remarkRequired';
      return false;
    }
    submitting.value = true;
    error.value = null;
    try {
      if (k === 'confirm') {
        const body = grantBonus.value ? { remark: text, grantBonus: true } : { remark: text };
        detail.replace(await confirmAdminOrder(orderNo, body));
        done.value = { kind: 'confirm' };
      } else if (k === 'resolveDuplicates') {
        detail.replace(await resolveDuplicatePayments(orderNo, { remark: text }));
        done.value = { kind: 'resolveDuplicates' };
      } else if (k === 'resolveRefund' && outcome !== null) {
        detail.replace(await resolveRefund(orderNo, { outcome, remark: text }));
        done.value = { kind: 'resolveRefund', outcome };
      } else {
        const body = force.value && offerForce.value ? { remark: text, force: true } : { remark: text };
        done.value = { kind: 'refund', result: await refundAdminOrder(orderNo, body) };
        await detail.load();
      }
      kind.value = null;
      await onDone();
      return true;
    } catch (err) {
      error.value = err;
      if (err instanceof ApiError && err.code === REFUND_BALANCE_TOO_LOW) offerForce.value = true;
      // The refused attempt is now in the order's refund history.
      if (err instanceof ApiError && err.code === REFUND_GATEWAY_FAILED) void detail.load();
      if (err instanceof ApiError && (err.code === NO_DUPLICATE_PAYMENT || err.code === NO_REFUND_UNDER_WAY)) {
        void detail.load();
        void onDone(); // the list's attention badge is just as stale
      }
      return false;
    } finally {
      submitting.value = false;
    }
  }

  return { kind, remark, force, grantBonus, offerForce, refundOutcome, submitting, error, done, start, cancel, submit };
}
