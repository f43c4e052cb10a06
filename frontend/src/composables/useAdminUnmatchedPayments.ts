import { ref, shallowRef } from 'vue';
import { listUnmatchedPayments, resolveUnmatchedPayment } from '../api/admin';
import { ApiError } from '../api/http';
import type { UnmatchedPayment, UnmatchedPaymentQuery } from '../api/types';
import { REMARK_MAX_LENGTH } from './useAdminLedger';
import { useConfirmAction } from './useConfirmAction';
import { usePagedList } from './usePagedList';

/** Which payments the list shows: still to deal with, dealt with, or every one. */
export type UnmatchedFilter = 'open' | 'resolved' | 'all';
export const UNMATCHED_FILTERS: readonly UnmatchedFilter[] = ['open', 'resolved', 'all'];

/** The filter → the list's `resolved` parameter ('all' leaves it out). */
export function unmatchedFilterToQuery(filter: UnmatchedFilter): UnmatchedPaymentQuery {
  if (filter === 'open') return { resolved: 'false' };
  if (filter === 'resolved') return { resolved: 'true' };
  return {};
}

export type UnmatchedRemarkProblem = 'remarkRequired' | 'remarkLength';

/**
 * Payments gateways reported that match no order (never credited), for
 * admins: one page of them, newest first, narrowed to open / resolved / all
 * (open first), and "resolve" with a confirm step. The remark is required
 * (the resolution is audited) and checked before any request; it is sent
 * trimmed. After a resolution the current page is loaded again (in the open
 * list the payment leaves it). A 404 means someone else resolved it
 * meanwhile: the question keeps the error and the list is loaded again.
 */
export function useAdminUnmatchedPayments(pageSize = 20) {
  const filter = ref<UnmatchedFilter>('open');
  const list = usePagedList(
    (page, size) => listUnmatchedPayments({ ...unmatchedFilterToQuery(filter.value), page, pageSize: size }),
    pageSize,
  );

  function setFilter(next: UnmatchedFilter): Promise<void> {
    filter.value = next;
    return list.load(1);
  }

  const remark = ref('');
  const problem = ref<UnmatchedRemarkProblem | null>(null);
  /** The payment the last confirmed resolution resolved, for a notice. */
  const done = shallowRef<UnmatchedPayment | null>(null);

  const action = useConfirmAction<UnmatchedPayment>(async (payment) => {
    try {
      done.value = await resolveUnmatchedPayment(payment.provider, payment.eventId, { remark: remark.value.trim() });
    } catch (err) {
      // Not open any more (resolved by someone else): what the list shows is out of date.
      if (err instanceof ApiError && err.status === 404) void list.load();
      throw err;
    }
    await list.load();
  });

  function ask(payment: UnmatchedPayment): void {
    remark.value = '';
    problem.value = null;
    done.value = null;
    action.ask(payment);
  }

  function cancel(): void {
    action.cancel();
    if (action.target.value === null) problem.value = null;
  }

  function confirm(): Promise<boolean> {
    const text = remark.value.trim();
    problem.value = text === '' ? 'remarkRequired' : text.length > REMARK_MAX_LENGTH ? 'remarkLength' : null;
    if (problem.value !== null) {
      action.error.value = null;
      return Promise.resolve(false);
    }
    return action.confirm();
  }

  return {
    ...list,
    filter,
    setFilter,
    resolving: { target: action.target, busy: action.busy, error: action.error, remark, problem, done, ask, cancel, confirm },
  };
}
