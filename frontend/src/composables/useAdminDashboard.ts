import { computed, ref, shallowRef } from 'vue';
import { getPaymentStats, runLedgerAudit } from '../api/admin';
import type { AuditReport, DailyTotals, PaymentStats, StatsWindow, WindowTotals } from '../api/types';
import { addDecimal, CNY_SCALE, USD_SCALE } from '../utils/money';
import { lastUtcDays } from '../utils/time';

export const STATS_WINDOWS: readonly StatsWindow[] = ['today', '7d', '30d'];

/** Totals of several rows, added exactly as decimal strings. */
export function sumTotals(rows: readonly Omit<DailyTotals, 'day'>[]): Omit<DailyTotals, 'day'> {
  return rows.reduce(
    (acc, r) => ({
      orders: acc.orders + r.orders,
      amountCny: addDecimal(acc.amountCny, r.amountCny, CNY_SCALE),
      amountUsd: addDecimal(acc.amountUsd, r.amountUsd, USD_SCALE),
      bonusUsd: addDecimal(acc.bonusUsd, r.bonusUsd, USD_SCALE),
    }),
    { orders: 0, amountCny: '0.00', amountUsd: '0.00000000', bonusUsd: '0.00000000' },
  );
}

/**
 * The API lists only days with paid orders; the chart wants every one of the
 * last `count` UTC days (ending today, or the newest day listed if later),
 * the missing ones as zero.
 */
export function fillDailyTotals(daily: readonly DailyTotals[], count = 30, now: Date = new Date()): DailyTotals[] {
  const newest = daily.reduce<string | null>((max, d) => (max === null || d.day > max ? d.day : max), null);
  const anchor = newest !== null && newest > now.toISOString().slice(0, 10) ? new Date(`${newest}T00:00:00Z`) : now;
  const byDay = new Map(daily.map((d) => [d.day, d]));
  return lastUtcDays(count, anchor).map(
    (day) => byDay.get(day) ?? { day, orders: 0, amountCny: '0.00', amountUsd: '0.00000000', bonusUsd: '0.00000000' },
  );
}

export interface WindowSummary {
  window: StatsWindow;
  byProvider: WindowTotals[];
  total: Omit<DailyTotals, 'day'>;
}

/** The admin dashboard: payment stats and the ledger audit card. */
export function useAdminDashboard() {
  const stats = shallowRef<PaymentStats | null>(null);
  const loading = ref(false);
  const error = ref<unknown>(null);

  const audit = shallowRef<AuditReport | null>(null);
  const auditRunning = ref(false);
  const auditError = ref<unknown>(null);

  const windows = computed<WindowSummary[]>(() =>
    STATS_WINDOWS.map((w) => {
      const byProvider = (stats.value?.windows ?? []).filter((r) => r.window === w);
      return { window: w, byProvider, total: sumTotals(byProvider) };
    }),
  );
  const daily = computed(() => fillDailyTotals(stats.value?.daily ?? []));

  async function load(): Promise<void> {
    loading.value = true;
    error.value = null;
    try {
      stats.value = await getPaymentStats();
    } catch (err) {
      error.value = err;
    } finally {
      loading.value = false;
    }
  }

  async function runAudit(): Promise<void> {
    if (auditRunning.value) return;
    auditRunning.value = true;
    auditError.value = null;
    try {
      audit.value = await runLedgerAudit();
    } catch (err) {
      auditError.value = err;
    } finally {
      auditRunning.value = false;
    }
  }

  return { stats, loading, error, windows, daily, load, audit, auditRunning, auditError, runAudit };
}
