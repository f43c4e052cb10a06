import { computed, reactive, watch } from 'vue';
import { isNavigationFailure, NavigationFailureType, useRoute, useRouter, type LocationQuery, type LocationQueryRaw } from 'vue-router';
import { listAuditLogs } from '../api/admin';
import { AUDIT_ACTIONS, AUDIT_TARGETS, type AuditAction, type AuditLogQuery, type AuditTarget } from '../api/types';
import { localDayBoundary } from '../utils/time';
import { isUserId } from './useAdminLedger';
import { usePagedList } from './usePagedList';

/** The audit-log filter bar as typed: '' = any; dates are date-input values ("YYYY-MM-DD", local days). */
export interface AuditFilters {
  adminId: string;
  action: AuditAction | '';
  targetType: AuditTarget | '';
  /** A user id, order number, key or batch id. */
  targetId: string;
  from: string;
  to: string;
}

export function emptyAuditFilters(): AuditFilters {
  return { adminId: '', action: '', targetType: '', targetId: '', from: '', to: '' };
}

/** The translation key of an action ("order.refund" → "order_refund": a dot would nest the message key). */
export function auditActionKey(action: AuditAction): string {
  return action.replace(/\./g, '_');
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function first(value: LocationQuery[string] | undefined): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v.trim() : '';
}

/**
 * The filters a link carries (`/admin/audit?targetType=user&targetId=42`).
 * What cannot be a filter (an unknown action, an admin id that is not a
 * number, a date that is not YYYY-MM-DD) is left out.
 */
export function auditFiltersFromUrl(query: LocationQuery): AuditFilters {
  const action = first(query.action);
  const targetType = first(query.targetType);
  const adminId = first(query.adminId);
  const from = first(query.from);
  const to = first(query.to);
  return {
    adminId: isUserId(adminId) ? adminId : '',
    action: (AUDIT_ACTIONS as string[]).includes(action) ? (action as AuditAction) : '',
    targetType: (AUDIT_TARGETS as string[]).includes(targetType) ? (targetType as AuditTarget) : '',
    targetId: first(query.targetId).slice(0, 100),
    from: DAY.test(from) ? from : '',
    to: DAY.test(to) ? to : '',
  };
}

/** The page a link asks for: a whole number from 1, else 1. */
export function auditPageFromUrl(query: LocationQuery): number {
  const page = first(query.page);
  return /^[1-9]\d{0,5}$/.test(page) ? Number(page) : 1;
}

/** The filters (and page, past the first) as the URL query: blank fields left out. */
export function auditFiltersToUrl(f: AuditFilters, page = 1): LocationQueryRaw {
  const query: LocationQueryRaw = {};
  for (const key of ['adminId', 'action', 'targetType', 'targetId', 'from', 'to'] as const) {
    const value = f[key].trim();
    if (value !== '') query[key] = value;
  }
  if (page > 1) query.page = String(page);
  return query;
}

/** The filters as the API's query: "to" includes its whole (local) day. */
export function auditFiltersToQuery(f: AuditFilters): AuditLogQuery {
  const text = (v: string) => (v.trim() === '' ? undefined : v.trim());
  return {
    adminId: isUserId(f.adminId) ? f.adminId.trim() : undefined,
    action: f.action === '' ? undefined : f.action,
    targetType: f.targetType === '' ? undefined : f.targetType,
    targetId: text(f.targetId),
    from: localDayBoundary(f.from),
    to: localDayBoundary(f.to, true),
  };
}

/**
 * The audit-log page. The URL holds the filters and the page, so a filtered
 * view can be linked and the back button steps through searches: `search()`
 * and paging change the URL, and every change of the URL loads what it names.
 */
export function useAdminAuditLogs(pageSize = 20) {
  const route = useRoute();
  const router = useRouter();
  const ownRoute = route.name;
  const filters = reactive<AuditFilters>(emptyAuditFilters());
  const adminIdInvalid = computed(() => filters.adminId.trim() !== '' && !isUserId(filters.adminId));
  let applied: AuditLogQuery = {};
  const list = usePagedList((page, size) => listAuditLogs({ ...applied, page, pageSize: size }), pageSize);

  /** Takes the filters and page from the URL into the bar and loads that page. */
  function loadFromUrl(): Promise<void> {
    const fromUrl = auditFiltersFromUrl(route.query);
    Object.assign(filters, fromUrl);
    applied = auditFiltersToQuery(fromUrl);
    return list.load(auditPageFromUrl(route.query));
  }

  async function navigate(f: AuditFilters, page: number): Promise<void> {
    const failure = await router.push({ query: auditFiltersToUrl(f, page) });
    // The same URL again (e.g. "search" to refresh): no route change to react to, so load here.
    if (isNavigationFailure(failure, NavigationFailureType.duplicated)) await loadFromUrl();
  }

  function search(): Promise<void> {
    if (adminIdInvalid.value) return Promise.resolve();
    return navigate({ ...filters }, 1);
  }

  function resetFilters(): Promise<void> {
    Object.assign(filters, emptyAuditFilters());
    return search();
  }

  /** Paging keeps the filters of the list shown (the URL's), not what is typed but not searched yet. */
  const goTo = (page: number) => navigate(auditFiltersFromUrl(route.query), page);

  watch(
    () => route.fullPath,
    () => {
      // Leaving the page changes the route too: only this page's own URLs are loaded.
      if (route.name === ownRoute) void loadFromUrl();
    },
  );

  return {
    ...list,
    filters,
    adminIdInvalid,
    search,
    resetFilters,
    loadFromUrl,
    next: () => (list.hasNext.value ? goTo(list.page.value + 1) : Promise.resolve()),
    prev: () => (list.hasPrev.value ? goTo(list.page.value - 1) : Promise.resolve()),
  };
}
