import { computed, onScopeDispose, ref, watch, type Ref } from 'vue';

/**
 * Whole seconds left until `deadline` (epoch ms, or null for none), ticking
 * every second. Computed from the clock on each tick, so a throttled
 * background tab does not drift. `onZero` runs once each time a running
 * countdown reaches 0 (not when it starts at 0).
 */
export function useCountdown(deadline: Ref<number | null>, onZero?: () => void): { secondsLeft: Ref<number> } {
  const secondsLeft = ref(0);
  let timer: ReturnType<typeof setInterval> | undefined;

  function compute(): number {
    return deadline.value === null ? 0 : Math.max(0, Math.ceil((deadline.value - Date.now()) / 1000));
  }

  function stop(): void {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
  }

  function tick(): void {
    const next = compute();
    const wasRunning = secondsLeft.value > 0;
    secondsLeft.value = next;
    if (next === 0) {
      stop();
      if (wasRunning) onZero?.();
    }
  }

  watch(
    deadline,
    () => {
      stop();
      secondsLeft.value = compute();
      if (secondsLeft.value > 0) timer = setInterval(tick, 1000);
    },
    { immediate: true },
  );

  onScopeDispose(stop);
  return { secondsLeft };
}

/** Seconds left until an order expires (its expireAt; none when unreadable), with `onExpired` when it runs out. */
export function useOrderCountdown(order: () => { expireAt: string }, onExpired?: () => void): { secondsLeft: Ref<number> } {
  const deadline = computed(() => {
    const at = Date.parse(order().expireAt);
    return Number.isNaN(at) ? null : at;
  });
  return useCountdown(deadline, onExpired);
}
