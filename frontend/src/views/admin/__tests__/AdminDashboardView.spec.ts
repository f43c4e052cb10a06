import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { flushPromises } from '@vue/test-utils';
import AdminDashboardView from '../AdminDashboardView.vue';
import { me, mountSignedIn, stubApi } from '../../../__tests__/support';
import { fillDailyTotals } from '../../../composables/useAdminDashboard';
import type { AuditReport, PaymentStats } from '../../../api/types';

// chart.js draws on a real canvas, which jsdom has not: record what it is given instead.
const charts = vi.hoisted(() => ({ configs: [] as unknown[], destroyed: 0 }));
vi.mock('chart.js', () => {
  class Chart {
    static register(): void {}
    constructor(_canvas: unknown, config: unknown) {
      charts.configs.push(config);
    }
    destroy(): void {
      charts.destroyed++;
    }
  }
  const part = {};
  return {
    Chart,
    BarController: part,
    BarElement: part,
    LineController: part,
    LineElement: part,
    PointElement: part,
    CategoryScale: part,
    LinearScale: part,
    Tooltip: part,
    Legend: part,
  };
});

interface SeenConfig {
  data: { labels: string[]; datasets: { label: string; data: unknown[] }[] };
  options: {
    plugins: {
      tooltip: {
        callbacks: {
          label: (ctx: { dataIndex: number; datasetIndex: number; dataset: { label: string } }) => string;
          footer: (items: { dataIndex: number }[]) => string[];
        };
      };
    };
  };
}

const stats: PaymentStats = {
  windows: [
    { window: 'today', provider: 'stripe', orders: 2, amountCny: '1000.00', amountUsd: '138.88888889', bonusUsd: '0.00000000' },
    { window: 'today', provider: 'zpay', orders: 1, amountCny: '240.50', amountUsd: '33.40277778', bonusUsd: '10.02083333' },
    { window: '7d', provider: 'zpay', orders: 4, amountCny: '480.50', amountUsd: '66.73611111', bonusUsd: '10.02083333' },
  ],
  daily: [
    { day: '2026-11-20', orders: 3, amountCny: '240.00', amountUsd: '33.33333333', bonusUsd: '2.50000000' },
    { day: '2026-11-23', orders: 3, amountCny: '1240.50', amountUsd: '172.29166667', bonusUsd: '10.02083333' },
  ],
  byStatus: [
    { status: 'paid', count: 7 },
    { status: 'pending', count: 2 },
  ],
  promotion: { granted: 4, bonusUsd: '3.33333333' },
  referral: { invites: 9, rewarded: 2, rewardUsd: '20.00000000' },
};

beforeEach(() => {
  localStorage.clear();
  charts.configs.length = 0;
  charts.destroyed = 0;
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(new Date('2026-11-23T10:00:00Z'));
});
afterEach(() => vi.useRealTimers());

describe('fillDailyTotals', () => {
  it('gives every one of the last 30 UTC days, missing ones as zero', () => {
    const days = fillDailyTotals(stats.daily, 30, new Date('2026-11-23T23:59:00Z'));
    expect(days).toHaveLength(30);
    expect(days[0]!.day).toBe('2026-10-25');
    expect(days[29]).toEqual(stats.daily[1]);
    expect(days[26]).toEqual(stats.daily[0]);
    expect(days[27]).toEqual({ day: '2026-11-21', orders: 0, amountCny: '0.00', amountUsd: '0.00000000', bonusUsd: '0.00000000' });
  });
});

describe('AdminDashboardView', () => {
  it('shows the totals as decimal strings and gives the chart the days and numbers to plot', async () => {
    stubApi({ 'GET /api/users/me': me('admin'), 'GET /api/admin/payment/stats': stats });
    const { wrapper } = await mountSignedIn(AdminDashboardView, '/admin');
    await flushPromises();

    // today: stripe + zpay, added exactly as strings
    const today = wrapper.get('[data-testid="admin-stats-today"]');
    expect(today.get('[data-testid="stat-amount-cny"]').text()).toBe('¥1,240.50');
    expect(today.get('[data-testid="stat-amount-usd"]').text()).toBe('172.29166667');
    expect(today.get('[data-testid="stat-bonus-usd"]').text()).toBe('10.02083333');
    expect(today.get('[data-testid="stat-orders"]').text()).toBe('3');
    const providers = today.findAll('[data-testid="stat-provider-row"]');
    expect(providers.map((p) => p.attributes('data-provider'))).toEqual(['stripe', 'zpay']);
    expect(providers[1]!.text()).toContain('240.50');
    expect(providers[1]!.text()).toContain('33.40277778');
    expect(wrapper.get('[data-testid="admin-stats-7d"] [data-testid="stat-amount-cny"]').text()).toBe('¥480.50');
    expect(wrapper.get('[data-testid="admin-stats-30d"]').text()).toContain('No paid orders.');

    expect(wrapper.findAll('[data-testid="stat-status"]').map((s) => s.text())).toEqual(['Paid7', 'Waiting for payment2']);
    expect(wrapper.get('[data-testid="stat-promotion-bonus"]').text()).toBe('3.33333333');
    expect(wrapper.get('[data-testid="stat-referral-reward"]').text()).toBe('20.00');
    expect(wrapper.get('[data-testid="stat-referral-invites"]').text()).toBe('9');

    expect(wrapper.find('[data-testid="admin-daily-chart"] canvas').exists()).toBe(true);
    expect(charts.configs).toHaveLength(1);
    const config = charts.configs[0] as SeenConfig;
    const labels = config.data.labels;
    expect(labels).toHaveLength(30);
    expect(labels[0]).toBe('2026-10-25');
    expect(labels.at(-1)).toBe('2026-11-23');
    const [cny, usd] = config.data.datasets;
    expect(cny!.data.every((v) => typeof v === 'number')).toBe(true);
    expect(usd!.data.every((v) => typeof v === 'number')).toBe(true);
    expect(cny!.data[labels.indexOf('2026-11-20')]).toBe(240);
    expect(cny!.data[labels.indexOf('2026-11-23')]).toBe(1240.5);
    expect(usd!.data[labels.indexOf('2026-11-20')]).toBe(33.33333333);
    expect(cny!.data[labels.indexOf('2026-11-21')]).toBe(0);

    // tooltips show the API's strings, not the plotted numbers
    const { label, footer } = config.options.plugins.tooltip.callbacks;
    const i = labels.indexOf('2026-11-23');
    expect(label({ dataIndex: i, datasetIndex: 0, dataset: { label: 'Paid (CNY)' } })).toBe('Paid (CNY): ¥1,240.50');
    expect(label({ dataIndex: i, datasetIndex: 1, dataset: { label: 'Credited (USD)' } })).toBe('Credited (USD): 172.29166667 USD');
    expect(footer([{ dataIndex: i }])).toEqual(['Orders: 3', 'Bonus: 10.02083333 USD']);

    wrapper.unmount();
    expect(charts.destroyed).toBe(1);
  });

  it('runs the ledger audit and shows whether it passed', async () => {
    const report: AuditReport = {
      ok: false,
      violations: [{ invariant: '1. balance = SUM(ledger amounts)', rows: [{ user_id: '42', balance: '5.00000000' }] }],
      checkedAt: '2026-11-23T10:00:00.000Z',
    };
    const api = stubApi({
      'GET /api/users/me': me('admin'),
      'GET /api/admin/payment/stats': stats,
      'GET /api/admin/audit': report,
    });
    const { wrapper } = await mountSignedIn(AdminDashboardView, '/admin', 'zh');
    await flushPromises();
    expect(wrapper.find('[data-testid="admin-audit-result"]').exists()).toBe(false);
    expect(api.calls('GET /api/admin/audit')).toHaveLength(0);

    await wrapper.get('[data-testid="admin-audit-run"]').trigger('click');
    await flushPromises();
    const result = wrapper.get('[data-testid="admin-audit-result"]');
    expect(result.attributes('data-ok')).toBe('false');
    expect(result.text()).toContain('违反的不变量：1');
    expect(result.text()).toContain('1. balance = SUM(ledger amounts)');
    expect(result.text()).toContain('"user_id": "42"');
  });
});
