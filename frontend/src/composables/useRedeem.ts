import { computed, ref, shallowRef } from 'vue';
import { useI18n } from 'vue-i18n';
import { ApiError } from '../api/http';
import type { RedeemResult } from '../api/types';
import { redeemCode } from '../api/users';
import { useAuthStore } from '../stores/auth';
import { useErrorMessage } from './useErrorMessage';

export const REDEEM_TOO_MANY_FAILURES = 'REDEEM_TOO_MANY_FAILURES';

/** Retry-After seconds as whole minutes to wait, rounded up (at least 1). */
export function retryMinutes(seconds: number): number {
  return Math.max(1, Math.ceil(seconds / 60));
}

/**
 * The redeem box: one code, one request per submission (each with its own
 * Idempotency-Key), then the balance everyone shows is asked for again.
 */
export function useRedeem() {
  const { t } = useI18n();
  const auth = useAuthStore();
  const describeError = useErrorMessage();

  const code = ref('');
  const sending = ref(false);
  const result = shallowRef<RedeemResult | null>(null);
  const error = ref<string | null>(null);

  const canSubmit = computed(() => !sending.value && code.value.trim() !== '');

  function errorText(err: unknown): string {
    if (err instanceof ApiError && err.code === REDEEM_TOO_MANY_FAILURES) {
      if (err.retryAfter === undefined) return t('redeem.errors.tooManyFailuresLater');
      const minutes = retryMinutes(err.retryAfter);
      return t('redeem.errors.tooManyFailures', { duration: t('redeem.minutes', minutes) });
    }
    // REDEEM_CODE_INVALID / REDEEM_CODE_ALREADY_REDEEMED are translated; anything else shows the server's words.
    return describeError(err);
  }

  async function submit(): Promise<void> {
    if (!canSubmit.value) return;
    sending.value = true;
    error.value = null;
    result.value = null;
    try {
      result.value = await redeemCode(code.value.trim().toUpperCase());
      code.value = '';
      // The home page and anything else reading the profile show the new balance.
      if (auth.profile) auth.profile = { ...auth.profile, balance: result.value.balance };
      await auth.loadMe().catch(() => undefined);
    } catch (err) {
      error.value = errorText(err);
    } finally {
      sending.value = false;
    }
  }

  function setCode(value: string): void {
    code.value = value;
    error.value = null;
    result.value = null;
  }

  return { code, sending, result, error, canSubmit, submit, setCode };
}
