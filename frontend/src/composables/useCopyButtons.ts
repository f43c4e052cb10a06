import { onScopeDispose, ref } from 'vue';
import { copyText } from '../utils/clipboard';

/** How long a Copy button says "Copied" before it is a Copy button again. */
export const COPY_STATE_MS = 2500;

/** Selects the text of `el` on the page, so the user can copy it by hand. */
export function selectText(el: HTMLElement): void {
  const selection = typeof window === 'undefined' ? null : window.getSelection();
  if (!selection) return;
  const range = document.createRange();
  range.selectNodeContents(el);
  selection.removeAllRanges();
  selection.addRange(range);
}

/**
 * Several Copy buttons side by side (an amount, an address…), told apart by a
 * key: `copied` names the one that just worked, `failed` the one that did
 * not. When neither the Clipboard API nor the old copy command works (a
 * plain-HTTP page, an old WebView) the text shown is selected instead, for
 * the user to copy by hand.
 */
export function useCopyButtons<K extends string>() {
  const copied = ref<K | null>(null);
  const failed = ref<K | null>(null);
  let timer: ReturnType<typeof setTimeout> | undefined;

  function reset(): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    copied.value = null;
    failed.value = null;
  }

  async function copy(key: K, text: string, shownIn?: HTMLElement | null): Promise<boolean> {
    reset();
    const ok = await copyText(text);
    if (ok) {
      copied.value = key;
      timer = setTimeout(() => {
        timer = undefined;
        copied.value = null;
      }, COPY_STATE_MS);
    } else {
      // Stays until the next copy: the user is copying the selected text by hand.
      failed.value = key;
      if (shownIn) selectText(shownIn);
    }
    return ok;
  }

  onScopeDispose(reset);
  return { copied, failed, copy };
}
