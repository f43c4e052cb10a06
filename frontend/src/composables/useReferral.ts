import { onScopeDispose, ref } from 'vue';
import { getReferralInfo, listInvitees } from '../api/referral';
import type { ReferralInfo } from '../api/types';
import { copyText } from '../utils/clipboard';
import { usePagedList } from './usePagedList';

export type CopyState = 'idle' | 'copied' | 'failed';

/** The referral page: code, link, counts, the invitee list and the copy button. */
export function useReferral() {
  const info = ref<ReferralInfo | null>(null);
  const loading = ref(false);
  const error = ref<unknown>(null);
  const copyState = ref<CopyState>('idle');
  let resetTimer: ReturnType<typeof setTimeout> | undefined;

  const invitees = usePagedList((page, pageSize) => listInvitees({ page, pageSize }));

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      info.value = await getReferralInfo();
      if (info.value.enabled) await invitees.load(1);
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function copyLink(): Promise<void> {
    const text = info.value?.link ?? info.value?.code;
    if (!text) return;
    copyState.value = (await copyText(text)) ? 'copied' : 'failed';
    if (resetTimer !== undefined) clearTimeout(resetTimer);
    resetTimer = setTimeout(() => (copyState.value = 'idle'), 2500);
  }

  onScopeDispose(() => {
    if (resetTimer !== undefined) clearTimeout(resetTimer);
  });

  return { info, loading, error, copyState, invitees, load, copyLink };
}
