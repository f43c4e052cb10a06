import { computed, ref, shallowRef } from 'vue';
import type { Page } from '../api/types';
import { useLatestLoad } from './useLatestLoad';

/**
 * One page of a `{items, total, page, pageSize}` list. `fetchPage` reads any
 * filters itself; call `load(1)` when a filter changes. An answer that
 * arrives after a newer request was made is dropped.
 */
export function usePagedList<T>(fetchPage: (page: number, pageSize: number) => Promise<Page<T>>, pageSize = 20) {
  const items = shallowRef<T[]>([]);
  const total = ref(0);
  const page = ref(1);
  const { loading, error, run } = useLatestLoad();

  const pages = computed(() => Math.max(1, Math.ceil(total.value / pageSize)));
  const hasPrev = computed(() => page.value > 1);
  const hasNext = computed(() => page.value < pages.value);

  function load(target = page.value): Promise<void> {
    return run(
      () => fetchPage(target, pageSize),
      (res) => {
        items.value = res.items;
        total.value = res.total;
        page.value = res.page;
      },
    );
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
