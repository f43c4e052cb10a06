import { ref } from 'vue';
import { listUnmatchedPayments, resolveUnmatchedPayment } from '../api/admin';
import { ApiError } from '../api/http';
import type { UnmatchedPayment, UnmatchedPaymentQuery } from '../api/types';
import { REMARK_MAX_LENGTH } from './useAdminLedger';
import { type RemarkProblem, useRemarkedAction } from './useConfirmAction';
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

export type UnmatchedRemarkProblem = RemarkProblem;

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

  const resolving = useRemarkedAction<UnmatchedPayment, UnmatchedPayment>(async (payment, remark) => {
    let resolved: UnmatchedPayment;
    try {
      resolved = await resolveUnmatchedPayment(payment.provider, payment.eventId, { remark });
    } catch (err) {
      // Not open any more (resolved by someone else): what the list shows is out of date.
      if (err instanceof ApiError && err.status === 404) void list.load();
      throw err;
    }
    await list.load();
    return resolved;
  }, REMARK_MAX_LENGTH);

  return {
    ...list,
    filter,
    setFilter,
    resolving,
  };
}
