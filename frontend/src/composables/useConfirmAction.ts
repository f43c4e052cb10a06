import { ref, shallowRef } from 'vue';

/**
 * An action with a confirm step: `ask(item)` opens the question, `confirm()`
 * runs the action once for that item, `cancel()` closes without running it.
 * A failure keeps the question open with the error, to retry or cancel.
 */
export function useConfirmAction<T>(run: (item: T) => Promise<void>) {
  const target = shallowRef<T | null>(null);
  const busy = ref(false);
  const error = ref<unknown>(null);

  function ask(item: T): void {
    target.value = item;
    error.value = null;
  }

  function cancel(): void {
    if (busy.value) return;
    target.value = null;
    error.value = null;
  }

  async function confirm(): Promise<boolean> {
    const item = target.value;
    if (item === null || busy.value) return false;
    busy.value = true;
    error.value = null;
    try {
      await run(item);
      target.value = null;
      return true;
    } catch (err) {
      error.value = err;
      return false;
    } finally {
      busy.value = false;
    }
  }

  return { target, busy, error, ask, cancel, confirm };
}
