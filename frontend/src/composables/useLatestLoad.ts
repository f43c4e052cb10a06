import { ref } from 'vue';

/**
 * "The latest call wins" for a view that loads one thing again and again
 * (a list as filters change, a detail as the selection changes): `run(fetch,
 * apply)` sets `loading` and clears `error`, and only the newest call's answer
 * is applied, or its failure kept; an older answer arriving later is dropped,
 * and `loading` follows the newest call only. `invalidate()` drops every
 * answer still on its way (the view moved on, or got fresh data some other way).
 */
export function useLatestLoad() {
  const loading = ref(false);
  const error = ref<unknown>(null);
  let seq = 0;

  async function run<T>(fetch: () => Promise<T>, apply: (answer: T) => void): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const answer = await fetch();
      if (mine === seq) apply(answer);
    } catch (err) {
      if (mine === seq) error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  /** No answer still on its way is applied; nothing is loading any more. */
  function invalidate(): void {
    seq++;
    loading.value = false;
  }

  return { loading, error, run, invalidate };
}
