import { onBeforeUnmount, onMounted, type Ref } from 'vue';

/**
 * A dialog or drawer: `focus` takes the keyboard focus when it opens, and
 * Escape anywhere on the page calls `onEscape` while it is open.
 */
export function useEscapeToClose(focus: Ref<HTMLElement | null>, onEscape: () => void): void {
  const onKeydown = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') onEscape();
  };
  onMounted(() => {
    focus.value?.focus();
    document.addEventListener('keydown', onKeydown);
  });
  onBeforeUnmount(() => document.removeEventListener('keydown', onKeydown));
}
