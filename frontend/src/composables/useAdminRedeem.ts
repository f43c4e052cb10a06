import { reactive, ref, shallowRef } from 'vue';
import { createApiKey, createRedeemBatch, disableRedeemBatch, listApiKeys, listRedeemBatches, revokeApiKey } from '../api/admin';
import type { ApiKey, ApiKeyScope, CreateApiKeyRequest, CreatedApiKey, CreatedRedeemBatch, CreateRedeemBatchRequest, RedeemBatch } from '../api/types';
import { USD_SCALE, compareDecimal, decimalSign } from '../utils/money';
import { localDateTimeToIso } from '../utils/time';
import { useConfirmAction } from './useConfirmAction';
import { useLatestLoad } from './useLatestLoad';
import { usePagedList } from './usePagedList';

/** The API's limits (src/redeem/dto/redeem.dto.ts). */
export const MAX_CODES_PER_BATCH = 10_000;
export const MAX_REDEEM_AMOUNT_USD = '100000';
export const MAX_REDEMPTIONS_PER_CODE = 1_000_000;
export const BATCH_NOTE_MAX_LENGTH = 200;
export const API_KEY_NAME_MAX_LENGTH = 100;

export interface BatchForm {
  count: string;
  amountUsd: string;
  maxRedemptions: string;
  /** A datetime-local value (local time), or blank: never expires. */
  expiresAt: string;
  note: string;
}

export type BatchProblem =
  | 'countRequired'
  | 'countRange'
  | 'amountRequired'
  | 'amountFormat'
  | 'amountScale'
  | 'amountZero'
  | 'amountRange'
  | 'maxRedemptionsRange'
  | 'expiresFormat'
  | 'expiresPast'
  | 'noteRequired'
  | 'noteLength';

/** A whole number within [min, max] typed as digits, or null. Counts, never money. */
function wholeNumber(value: string, min: number, max: number): number | null {
  if (!/^\d{1,9}$/.test(value)) return null;
  const n = Number(value);
  return n >= min && n <= max ? n : null;
}

/**
 * Checks the new-batch form as the API will: the problems in field order, or
 * the request — the amount exactly as typed (a decimal string, never a number),
 * the expiry as an ISO time, maxRedemptions left out when blank (the API's default is 1).
 */
export function validateBatch(
  form: BatchForm,
  now: number = Date.now(),
): { problems: BatchProblem[]; request: null } | { problems: []; request: CreateRedeemBatchRequest } {
  const problems: BatchProblem[] = [];

  const countText = form.count.trim();
  const count = wholeNumber(countText, 1, MAX_CODES_PER_BATCH);
  if (countText === '') problems.push('countRequired');
  else if (count === null) problems.push('countRange');

  const amountUsd = form.amountUsd.trim();
  const amount = /^(\d+)(?:\.(\d+))?$/.exec(amountUsd);
  if (amountUsd === '') problems.push('amountRequired');
  else if (!amount) problems.push('amountFormat');
  else if ((amount[2] ?? '').length > USD_SCALE) problems.push('amountScale');
  else if (decimalSign(amountUsd) === 0) problems.push('amountZero');
  else if (compareDecimal(amountUsd, MAX_REDEEM_AMOUNT_USD) > 0) problems.push('amountRange');

  const maxText = form.maxRedemptions.trim();
  const maxRedemptions = maxText === '' ? undefined : wholeNumber(maxText, 1, MAX_REDEMPTIONS_PER_CODE);
  if (maxRedemptions === null) problems.push('maxRedemptionsRange');

  const expiresText = form.expiresAt.trim();
  const expiresAt = expiresText === '' ? undefined : localDateTimeToIso(expiresText);
  if (expiresText !== '' && expiresAt === undefined) problems.push('expiresFormat');
  else if (expiresAt !== undefined && Date.parse(expiresAt) <= now) problems.push('expiresPast');

  const note = form.note.trim();
  if (note === '') problems.push('noteRequired');
  else if (note.length > BATCH_NOTE_MAX_LENGTH) problems.push('noteLength');

  if (problems.length > 0 || count === null || maxRedemptions === null) return { problems, request: null };
  const request: CreateRedeemBatchRequest = { count, amountUsd, note };
  if (maxRedemptions !== undefined) request.maxRedemptions = maxRedemptions;
  if (expiresAt !== undefined) request.expiresAt = expiresAt;
  return { problems: [], request };
}

/**
 * Redeem-code batches: the create form, the codes of each batch created here
 * (kept until the admin dismisses them: the API never shows them again), the
 * paged list with usage, and disabling with a confirm step.
 */
export function useRedeemBatches(pageSize = 20) {
  const form = reactive<BatchForm>({ count: '', amountUsd: '', maxRedemptions: '1', expiresAt: '', note: '' });
  const problems = ref<BatchProblem[]>([]);
  const formError = ref<unknown>(null);
  const submitting = ref(false);
  /** Newest first; each stays until dismissed. */
  const created = shallowRef<CreatedRedeemBatch[]>([]);

  const list = usePagedList((page, size) => listRedeemBatches({ page, pageSize: size }), pageSize);

  async function submit(): Promise<boolean> {
    if (submitting.value) return false;
    const checked = validateBatch(form);
    problems.value = checked.problems;
    formError.value = null;
    if (checked.request === null) return false;
    submitting.value = true;
    try {
      const batch = await createRedeemBatch(checked.request);
      created.value = [batch, ...created.value];
      form.count = '';
      form.amountUsd = '';
      form.maxRedemptions = '1';
      form.expiresAt = '';
      form.note = '';
      await list.load(1); // the new batch is the newest
      return true;
    } catch (err) {
      formError.value = err;
      return false;
    } finally {
      submitting.value = false;
    }
  }

  function dismiss(batchId: string): void {
    created.value = created.value.filter((b) => b.batchId !== batchId);
  }

  const disable = useConfirmAction<RedeemBatch>(async (batch) => {
    const updated = await disableRedeemBatch(batch.id);
    list.items.value = list.items.value.map((b) => (b.id === updated.id ? updated : b));
  });

  return { ...list, form, problems, formError, submitting, created, submit, dismiss, disable };
}

export interface ApiKeyForm {
  name: string;
  scopes: ApiKeyScope[];
}

export type ApiKeyProblem = 'nameRequired' | 'nameLength' | 'scopesRequired';

export function validateApiKey(
  form: ApiKeyForm,
): { problems: ApiKeyProblem[]; request: null } | { problems: []; request: CreateApiKeyRequest } {
  const problems: ApiKeyProblem[] = [];
  const name = form.name.trim();
  if (name === '') problems.push('nameRequired');
  else if (name.length > API_KEY_NAME_MAX_LENGTH) problems.push('nameLength');
  const scopes = [...new Set(form.scopes)];
  if (scopes.length === 0) problems.push('scopesRequired');
  if (problems.length > 0) return { problems, request: null };
  return { problems: [], request: { name, scopes } };
}

/**
 * API keys: the list (newest first), the create form, each new key's secret
 * (kept until dismissed: the API never shows it again) and revoking with a confirm step.
 */
export function useApiKeys() {
  const keys = shallowRef<ApiKey[]>([]);
  const { loading, error: loadError, run } = useLatestLoad();

  const form = reactive<ApiKeyForm>({ name: '', scopes: [] });
  const problems = ref<ApiKeyProblem[]>([]);
  const error = ref<unknown>(null);
  const submitting = ref(false);
  const created = shallowRef<CreatedApiKey[]>([]);

  function load(): Promise<void> {
    return run(listApiKeys, (answer) => {
      keys.value = answer;
    });
  }

  async function submit(): Promise<boolean> {
    if (submitting.value) return false;
    const checked = validateApiKey(form);
    problems.value = checked.problems;
    error.value = null;
    if (checked.request === null) return false;
    submitting.value = true;
    try {
      const key = await createApiKey(checked.request);
      created.value = [key, ...created.value];
      form.name = '';
      form.scopes = [];
      await load();
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      submitting.value = false;
    }
  }

  function dismiss(id: string): void {
    created.value = created.value.filter((k) => k.id !== id);
  }

  const revoke = useConfirmAction<ApiKey>(async (key) => {
    const updated = await revokeApiKey(key.id);
    keys.value = keys.value.map((k) => (k.id === updated.id ? updated : k));
  });

  return { keys, loading, loadError, load, form, problems, error, submitting, created, submit, dismiss, revoke };
}
