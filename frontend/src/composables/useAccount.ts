import { ref, shallowRef } from 'vue';
import { closeMyAccount, downloadMyData } from '../api/users';
import type { ClosedAccount } from '../api/types';
import { useCsvDownload } from './useCsvDownload';

/** The name the data export is saved under when the server gives none. */
export const EXPORT_FALLBACK_NAME = 'recharge-data.json';

/** "Download my data": the whole export as the JSON file the server names. */
export function useMyDataDownload() {
  return useCsvDownload(downloadMyData, EXPORT_FALLBACK_NAME);
}

export type ClosePasswordProblem = 'passwordRequired';

/**
 * Closing the signed-in account, with a confirm step: `ask()` opens the
 * question (the page shows the balance that will be left behind), `confirm()`
 * checks that a password was typed before any request, then sends it;
 * `onClosed` runs once the server has closed the account (the page then ends
 * the session). A refusal (a wrong password, too many tries) stays in the
 * question with its message, the password field emptied.
 */
export function useAccountClosing(onClosed: (closed: ClosedAccount) => void | Promise<void>) {
  const asking = ref(false);
  const password = ref('');
  const busy = ref(false);
  const error = ref<unknown>(null);
  const problem = ref<ClosePasswordProblem | null>(null);
  const closed = shallowRef<ClosedAccount | null>(null);

  function ask(): void {
    asking.value = true;
    password.value = '';
    error.value = null;
    problem.value = null;
  }

  function cancel(): void {
    if (busy.value) return;
    asking.value = false;
    password.value = '';
    error.value = null;
    problem.value = null;
  }

  async function confirm(): Promise<boolean> {
    if (busy.value) return false;
    problem.value = password.value === '' ? 'passwordRequired' : null;
    if (problem.value !== null) {
      error.value = null;
      return false;
    }
    busy.value = true;
    error.value = null;
    try {
      closed.value = await closeMyAccount(password.value);
      asking.value = false;
      password.value = '';
      await onClosed(closed.value);
      return true;
    } catch (err) {
      error.value = err;
      password.value = '';
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { asking, password, busy, error, problem, closed, ask, cancel, confirm };
}
