import { computed, onScopeDispose, reactive, ref, shallowRef, watch } from 'vue';
import { adjustBalance, exportAdminLedgerCsv, listAdminRechargeRecords } from '../api/admin';
import { ApiError, newIdempotencyKey } from '../api/http';
import type { AdminLedgerQuery, LedgerType, RechargeRecord } from '../api/types';
import { checkSignedAmount, type SignedAmountProblem } from '../utils/money';
import { localDayBoundary } from '../utils/time';
import { usePagedList } from './usePagedList';

/** A user id as the API takes it: a positive whole number. */
export function isUserId(value: string): boolean {
  return /^[1-9]\d{0,18}$/.test(value.trim());
}

export interface LedgerFilters {
  userId: string;
  type: LedgerType | '';
  /** Date-input values ("YYYY-MM-DD", local days); "to" includes its whole day. */
  from: string;
  to: string;
}

export function ledgerFiltersToQuery(f: LedgerFilters): AdminLedgerQuery {
  return {
    userId: f.userId.trim() === '' ? undefined : f.userId.trim(),
    type: f.type === '' ? undefined : f.type,
    from: localDayBoundary(f.from),
    to: localDayBoundary(f.to, true),
  };
}

/**
 * The global ledger: filters apply by themselves shortly after the last
 * change (or at once on `apply`); a user id that is not a number is not sent.
 */
export function useAdminLedger(pageSize = 20, debounceMs = 300) {
  const filters = reactive<LedgerFilters>({ userId: '', type: '', from: '', to: '' });
  const userIdInvalid = computed(() => filters.userId.trim() !== '' && !isUserId(filters.userId));
  let applied: AdminLedgerQuery = {};
  const list = usePagedList((page, size) => listAdminRechargeRecords({ ...applied, page, pageSize: size }), pageSize);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function apply(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    if (userIdInvalid.value) return Promise.resolve();
    applied = ledgerFiltersToQuery(filters);
    return list.load(1);
  }

  watch(
    () => ({ ...filters }),
    () => {
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(() => void apply(), debounceMs);
    },
  );
  onScopeDispose(() => {
    if (timer !== undefined) clearTimeout(timer);
  });

  /** The rows listed (the filters last applied) as a CSV file; no paging. */
  const exportCsv = () => exportAdminLedgerCsv(applied);
  return { ...list, filters, userIdInvalid, apply, exportCsv };
}

export type AdjustmentProblem =
  | 'userIdRequired'
  | 'userIdFormat'
  | `amount${Capitalize<SignedAmountProblem>}`
  | 'remarkRequired'
  | 'remarkLength';

export interface AdjustmentForm {
  userId: string;
  amount: string;
  remark: string;
}

export const REMARK_MAX_LENGTH = 500;

/**
 * Checks the balance adjustment form: the problems (in field order), or the
 * request to send — the amount exactly as typed (trimmed, without a "+").
 */
export function validateAdjustment(
  form: AdjustmentForm,
): { problems: AdjustmentProblem[]; request: null } | { problems: []; request: { userId: string; amount: string; remark: string } } {
  const problems: AdjustmentProblem[] = [];
  const userId = form.userId.trim();
  if (userId === '') problems.push('userIdRequired');
  else if (!isUserId(userId)) problems.push('userIdFormat');
  const amount = checkSignedAmount(form.amount);
  if (amount.problem !== null) {
    problems.push(`amount${(amount.problem.charAt(0).toUpperCase() + amount.problem.slice(1)) as Capitalize<SignedAmountProblem>}`);
  }
  const remark = form.remark.trim();
  if (remark === '') problems.push('remarkRequired');
  else if (remark.length > REMARK_MAX_LENGTH) problems.push('remarkLength');
  if (problems.length > 0 || amount.problem !== null) return { problems, request: null };
  return { problems: [], request: { userId, amount: amount.value, remark } };
}

/** The server saw the key while its first request was still running: that one may yet be applied. */
const KEY_IN_USE = 'IDEMPOTENCY_KEY_IN_USE';

/** Whether a failed adjustment may have been applied anyway (no answer, a server error, or still running). */
function outcomeUnknown(err: unknown): boolean {
  if (!(err instanceof ApiError)) return true;
  return err.status === 0 || err.status >= 500 || err.code === KEY_IN_USE;
}

/**
 * The balance adjustment form: validated before any request; `onDone` refreshes
 * what shows the balance or the ledger. Each submission carries its own
 * Idempotency-Key; when a submission's outcome is unknown (no answer, a server
 * error), sending the very same request again reuses its key, so it is applied
 * at most once. Any change to the form makes a new submission with a new key.
 */
export function useBalanceAdjustment(onDone: (record: RechargeRecord, userId: string) => Promise<void> | void) {
  const form = reactive<AdjustmentForm>({ userId: '', amount: '', remark: '' });
  const problems = ref<AdjustmentProblem[]>([]);
  const error = ref<unknown>(null);
  const submitting = ref(false);
  const result = shallowRef<{ userId: string; record: RechargeRecord } | null>(null);
  /** The last submission whose outcome is unknown, and its key. */
  let unsettled: { request: string; key: string } | null = null;

  async function submit(): Promise<boolean> {
    if (submitting.value) return false;
    const checked = validateAdjustment(form);
    problems.value = checked.problems;
    error.value = null;
    result.value = null;
    if (checked.request === null) return false;
    const { userId, amount, remark } = checked.request;
    const request = JSON.stringify([userId, amount, remark]);
    const key = unsettled?.request === request ? unsettled.key : newIdempotencyKey();
    unsettled = { request, key };
    submitting.value = true;
    try {
      const record = await adjustBalance(userId, { amount, remark }, key);
      unsettled = null;
      result.value = { userId, record };
      form.amount = '';
      form.remark = '';
      await onDone(record, userId);
      return true;
    } catch (err) {
      if (!outcomeUnknown(err)) unsettled = null;
      error.value = err;
      return false;
    } finally {
      submitting.value = false;
    }
  }

  return { form, problems, error, submitting, result, submit };
}
