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

export type RemarkProblem = 'remarkRequired' | 'remarkLength';

/**
 * An audited action with a confirm step and a required remark of at most
 * `maxLength` characters: the remark is checked before any request and
 * handed to `run` trimmed; `done` holds what the last confirmed run answered,
 * for a notice. A refusal stays in the question with the server's words.
 */
export function useRemarkedAction<T, D>(run: (item: T, remark: string) => Promise<D>, maxLength: number) {
  const remark = ref('');
  const problem = ref<RemarkProblem | null>(null);
  const done = shallowRef<D | null>(null);
  const action = useConfirmAction<T>(async (item) => {
    done.value = await run(item, remark.value.trim());
  });

  function ask(item: T): void {
    remark.value = '';
    problem.value = null;
    done.value = null;
    action.ask(item);
  }

  function cancel(): void {
    action.cancel();
    if (action.target.value === null) problem.value = null;
  }

  function confirm(): Promise<boolean> {
    const text = remark.value.trim();
    problem.value = text === '' ? 'remarkRequired' : text.length > maxLength ? 'remarkLength' : null;
    if (problem.value !== null) {
      action.error.value = null;
      return Promise.resolve(false);
    }
    return action.confirm();
  }

  return { target: action.target, busy: action.busy, error: action.error, remark, problem, done, ask, cancel, confirm };
}
