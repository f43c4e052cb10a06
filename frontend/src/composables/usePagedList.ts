import { computed, ref, shallowRef } from 'vue';
import type { Page } from '../api/types';

/**
 * One page of a `{items, total, page, pageSize}` list. `fetchPage` reads any
 * filters itself; call `load(1)` when a filter changes. An answer that
 * arrives after a newer request was made is dropped.
 */
export function usePagedList<T>(fetchPage: (page: number, pageSize: number) => Promise<Page<T>>, pageSize = 20) {
  const items = shallowRef<T[]>([]);
  const total = ref(0);
  const page = ref(1);
  const loading = ref(false);
  const error = ref<unknown>(null);
  let seq = 0;

  const pages = computed(() => Math.max(1, Math.ceil(total.value / pageSize)));
  const hasPrev = computed(() => page.value > 1);
  const hasNext = computed(() => page.value < pages.value);

  async function load(target = page.value): Promise<void> {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    try {
      const res = await fetchPage(target, pageSize);
      if (mine !== seq) return;
      items.value = res.items;
      total.value = res.total;
      page.value = res.page;
    } catch (err) {
      if (mine === seq) error.value = err;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  return {
    items,
    total,
    page,
    pages,
    pageSize,
    loading,
    error,
    hasPrev,
    hasNext,
    load,
    next: () => (hasNext.value ? load(page.value + 1) : Promise.resolve()),
    prev: () => (hasPrev.value ? load(page.value - 1) : Promise.resolve()),
  };
}
