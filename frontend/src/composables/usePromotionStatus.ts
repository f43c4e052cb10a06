import { computed, ref } from 'vue';
import { getPromotionStatus } from '../api/promotion';
import type { PromotionStatus } from '../api/types';
import { useCountdown } from './useCountdown';

/**
 * The new-user promotion (GET /users/promotion/status) with a live countdown
 * to the end of the current tier. When the tier ends the status is fetched
 * again (the next tier, or the end of the promotion) and `onTierEnd` runs so
 * the page can refresh anything priced with the old percent.
 */
export function usePromotionStatus(options: { onTierEnd?: () => void } = {}) {
  const status = ref<PromotionStatus | null>(null);
  const loading = ref(false);
  const failed = ref(false);
  const deadline = ref<number | null>(null);

  /** Shown only while a bonus can still be earned. Tiers count from 0: compared with null, never tested for truthiness. */
  const active = computed(
    () =>
      status.value !== null &&
      status.value.enabled &&
      status.value.status === 'active' &&
      status.value.currentTier !== null &&
      status.value.currentPercent !== null,
  );

  async function load(): Promise<void> {
    loading.value = true;
    try {
      const s = await getPromotionStatus();
      status.value = s;
      failed.value = false;
      deadline.value = s.secondsLeftInTier > 0 ? Date.now() + s.secondsLeftInTier * 1000 : null;
    } catch {
      // The banner is an extra: without it the page still works.
      failed.value = true;
    } finally {
      loading.value = false;
    }
  }

  const { secondsLeft } = useCountdown(deadline, () => {
    void load();
    options.onTierEnd?.();
  });

  return { status, active, loading, failed, secondsLeft, load };
}
