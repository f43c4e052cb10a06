import { reactive, shallowRef } from 'vue';
import { closeAdminUser, listAdminOrders, listAdminRechargeRecords, listAdminUsers, setAdminUserStatus } from '../api/admin';
import type { AdminUser, AdminUserQuery, ClosedAccount, Role, UserStatus, UserStatusChangeRequest } from '../api/types';
import { REMARK_MAX_LENGTH } from './useAdminLedger';
import { type RemarkProblem, useRemarkedAction } from './useConfirmAction';
import { usePagedList } from './usePagedList';

/** The users filter bar as typed: '' = any. */
export interface UserFilters {
  /** Part of an email or username; a number also finds the user with that id. */
  q: string;
  status: UserStatus | '';
  role: Role | '';
}

export function emptyUserFilters(): UserFilters {
  return { q: '', status: '', role: '' };
}

/** The filter bar → the list's query parameters (blank fields left out). */
export function userFiltersToQuery(f: UserFilters): AdminUserQuery {
  const q = f.q.trim();
  return {
    q: q === '' ? undefined : q,
    status: f.status === '' ? undefined : f.status,
    role: f.role === '' ? undefined : f.role,
  };
}

/**
 * The admin users page: filters applied on search, one page of users, and the
 * user the detail panel shows. `replace` puts a user's new state (after a
 * status change or an adjustment) in both the list and the panel.
 */
export function useAdminUsers(pageSize = 20) {
  const filters = reactive<UserFilters>(emptyUserFilters());
  let applied: AdminUserQuery = {};
  const list = usePagedList((page, size) => listAdminUsers({ ...applied, page, pageSize: size }), pageSize);
  /** Kept whole, not as an id: the panel stays open when a reload no longer lists the user (e.g. filtered by status). */
  const selected = shallowRef<AdminUser | null>(null);

  function search(): Promise<void> {
    applied = userFiltersToQuery(filters);
    return list.load(1);
  }

  function resetFilters(): Promise<void> {
    Object.assign(filters, emptyUserFilters());
    return search();
  }

  function select(user: AdminUser | null): void {
    selected.value = user;
  }

  function replace(user: AdminUser): void {
    list.items.value = list.items.value.map((u) => (u.id === user.id ? user : u));
    if (selected.value?.id === user.id) selected.value = user;
  }

  /** The current page again; the panel takes the fresh row of its user, when listed. */
  async function reload(): Promise<void> {
    await list.load();
    const id = selected.value?.id;
    const fresh = list.items.value.find((u) => u.id === id);
    if (fresh) selected.value = fresh;
  }

  return { ...list, filters, search, resetFilters, selected, select, replace, reload };
}

/** One user's orders, newest first (the panel's list). */
export function useUserOrders(userId: () => string, pageSize = 10) {
  return usePagedList((page, size) => listAdminOrders({ userId: userId(), page, pageSize: size }), pageSize);
}

/** One user's ledger rows, newest first (the panel's list). */
export function useUserLedger(userId: () => string, pageSize = 10) {
  return usePagedList((page, size) => listAdminRechargeRecords({ userId: userId(), page, pageSize: size }), pageSize);
}

export type StatusRemarkProblem = RemarkProblem;

/** The statuses the status action sets (closing is its own action, and final). */
export type SettableStatus = UserStatusChangeRequest['status'];

/**
 * Disable / enable with a confirm step: `ask(user, status)` opens the question,
 * `confirm()` checks the remark (required, as the change is audited) before any
 * request, then sends it; `onDone` gets the updated user, and `done` the status
 * it now has. A refusal (e.g. an admin disabling their own account) stays in
 * the question with the server's words.
 */
export function useUserStatusChange(onDone: (user: AdminUser) => void) {
  const change = useRemarkedAction<{ user: AdminUser; status: SettableStatus }, UserStatus>(async ({ user, status }, remark) => {
    const updated = await setAdminUserStatus(user.id, { status, remark });
    onDone(updated);
    return updated.status;
  }, REMARK_MAX_LENGTH);

  return { ...change, ask: (user: AdminUser, status: SettableStatus) => change.ask({ user, status }) };
}

/**
 * Closing an account, with a confirm step that shows the balance left and
 * needs a remark (audited). `onDone` gets the user as closed (status closed;
 * the list's reload brings the tombstone), and `done` what the closing did
 * (the balance left, for the notice). A refusal (an admin's account, already
 * closed) stays in the question with its message.
 */
export function useUserClosing(onDone: (user: AdminUser) => void) {
  return useRemarkedAction<AdminUser, ClosedAccount>(async (user, remark) => {
    const closed = await closeAdminUser(user.id, { remark });
    onDone({ ...user, status: closed.status, balance: closed.balanceUsd });
    return closed;
  }, REMARK_MAX_LENGTH);
}
