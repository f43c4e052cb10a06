import { computed, reactive, shallowRef } from 'vue';
import { getPromotionStats, listAdminInvites } from '../api/admin';
import type { AdminInviteQuery, InviteeStatus, PromotionStats, PromotionStatsQuery, TierStats } from '../api/types';
import { localDayBoundary } from '../utils/time';
import { isUserId } from './useAdminLedger';
import { useLatestLoad } from './useLatestLoad';
import { usePagedList } from './usePagedList';

/** Date-input values ("YYYY-MM-DD", local days); "to" includes its whole day. */
export interface DayRange {
  from: string;
  to: string;
}

export function rangeToQuery(r: DayRange): PromotionStatsQuery {
  return { from: localDayBoundary(r.from), to: localDayBoundary(r.to, true) };
}

/**
 * Tiers in order, first (0) to last. A tier number is a position, not a flag:
 * tier 0 is the first window after registration and is compared as a number,
 * never tested for truthiness.
 */
export function sortedTiers(byTier: readonly TierStats[]): TierStats[] {
  return [...byTier].sort((a, b) => a.tier - b.tier);
}

/** The new-user bonus statistics for a date range (applied on `load`); a late answer is dropped. */
export function usePromotionStats() {
  const range = reactive<DayRange>({ from: '', to: '' });
  const stats = shallowRef<PromotionStats | null>(null);
  const { loading, error, run } = useLatestLoad();

  function load(): Promise<void> {
    return run(
      () => getPromotionStats(rangeToQuery(range)),
      (res) => {
        stats.value = res;
      },
    );
  }

  const tiers = computed(() => sortedTiers(stats.value?.byTier ?? []));
  return { range, stats, tiers, loading, error, load };
}

/** The invites filter bar as typed: '' = any. */
export interface InviteFilters extends DayRange {
  referrerId: string;
  inviteeId: string;
  status: InviteeStatus | '';
}

export function emptyInviteFilters(): InviteFilters {
  return { referrerId: '', inviteeId: '', status: '', from: '', to: '' };
}

/**
 * The filter bar → the list's query. An invite's status is what its two flags
 * say: signed up = not qualified; qualified = qualified, not yet rewarded;
 * rewarded = reward issued.
 */
export function inviteFiltersToQuery(f: InviteFilters): AdminInviteQuery {
  const id = (v: string) => (v.trim() === '' ? undefined : v.trim());
  const flags: Pick<AdminInviteQuery, 'qualified' | 'rewarded'> =
    f.status === 'registered'
      ? { qualified: false }
      : f.status === 'qualified'
        ? { qualified: true, rewarded: false }
        : f.status === 'rewarded'
          ? { rewarded: true }
          : {};
  return {
    referrerId: id(f.referrerId),
    inviteeId: id(f.inviteeId),
    ...flags,
    from: localDayBoundary(f.from),
    to: localDayBoundary(f.to, true),
  };
}

/** The admin invites list: filters applied on search; a user id that is not a number is not sent. */
export function useAdminInvites(pageSize = 20) {
  const filters = reactive<InviteFilters>(emptyInviteFilters());
  const invalid = computed(() => ({
    referrerId: filters.referrerId.trim() !== '' && !isUserId(filters.referrerId),
    inviteeId: filters.inviteeId.trim() !== '' && !isUserId(filters.inviteeId),
  }));
  const anyInvalid = computed(() => invalid.value.referrerId || invalid.value.inviteeId);
  let applied: AdminInviteQuery = {};
  const list = usePagedList((page, size) => listAdminInvites({ ...applied, page, pageSize: size }), pageSize);

  function search(): Promise<void> {
    if (anyInvalid.value) return Promise.resolve();
    applied = inviteFiltersToQuery(filters);
    return list.load(1);
  }

  function resetFilters(): Promise<void> {
    Object.assign(filters, emptyInviteFilters());
    return search();
  }

  return { ...list, filters, invalid, anyInvalid, search, resetFilters };
}
