import { ref, watch } from 'vue';
import { listRechargeRecords } from '../api/users';
import type { LedgerType } from '../api/types';
import { usePagedList } from './usePagedList';

/** The ledger page: one page of the user's records, filtered by type ('' = all). */
export function useRechargeRecords(pageSize = 20) {
  const type = ref<LedgerType | ''>('');
  const list = usePagedList(
    (page, size) => listRechargeRecords({ page, pageSize: size, type: type.value === '' ? undefined : type.value }),
    pageSize,
  );
  watch(type, () => void list.load(1));
  return { ...list, type };
}
