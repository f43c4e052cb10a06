import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { defineComponent, h } from 'vue';
import { flushPromises, mount } from '@vue/test-utils';
import { PROVIDERS, apiError, stubApi } from '../../__tests__/support';
import { createAppI18n, type AppLocale } from '../../i18n';
import { useProvidersStore } from '../../stores/providers';
import { rememberQrOrder } from '../../utils/paymentDisplay';
import { providerLabel, resumeDisplayOf, useProviders } from '../useProviders';

const ROUTE = 'GET /api/payment/providers';
const ADMIN_ROUTE = 'GET /api/admin/payment/providers';

beforeEach(() => {
  localStorage.clear();
  setActivePinia(createPinia());
});

describe('providerLabel', () => {
  const p = { name: 'newpay', labels: { zh: '新支付', en: 'New Pay' } };

  it('the label in the language asked for, else English, else the name', () => {
    expect(providerLabel(p, 'zh')).toBe('新支付');
    expect(providerLabel(p, 'en')).toBe('New Pay');
    expect(providerLabel(p, 'fr')).toBe('New Pay');
    expect(providerLabel({ ...p, labels: { zh: '', en: 'New Pay' } }, 'zh')).toBe('New Pay');
    expect(providerLabel({ ...p, labels: { zh: '', en: '' } }, 'zh')).toBe('newpay');
  });
});

describe('resumeDisplayOf', () => {
  const base = { orderNo: 'PO1', paymentUrl: 'https://pay.example/PO1', payAddress: null };

  it('an order with a receiving address is an address payment, whatever its gateway says', () => {
    expect(resumeDisplayOf({ ...base, paymentUrl: null, payAddress: 'T123' }, undefined)).toBe('address');
    expect(resumeDisplayOf({ ...base, payAddress: 'T123' }, PROVIDERS.qrCapable)).toBe('address');
  });

  it('a gateway that always answers QR content shows a QR code, even for a web address', () => {
    expect(resumeDisplayOf(base, { display: 'qrcode' })).toBe('qrcode');
  });

  it('otherwise as it was created on this device, else by the shape of the URL', () => {
    expect(resumeDisplayOf(base, PROVIDERS.qrCapable)).toBe('redirect');
    expect(resumeDisplayOf({ ...base, paymentUrl: 'weixin://wxpay/x' }, PROVIDERS.qrCapable)).toBe('qrcode');
    rememberQrOrder('PO1');
    expect(resumeDisplayOf(base, PROVIDERS.qrCapable)).toBe('qrcode');
    expect(resumeDisplayOf(base, undefined)).toBe('qrcode');
  });
});

describe('useProvidersStore', () => {
  it('asks once: concurrent callers share the request, later ones get the list kept', async () => {
    const api = stubApi({ [ROUTE]: [PROVIDERS.qrCapable, PROVIDERS.address] });
    const store = useProvidersStore();
    const [a, b] = await Promise.all([store.load(), store.load()]);
    expect(a.map((p) => p.name)).toEqual(['zpay', 'usdt_trc20']);
    expect(b).toBe(a);
    await store.load();
    expect(api.calls(ROUTE)).toHaveLength(1);
    expect(store.find('usdt_trc20')?.display).toBe('address');
    expect(store.find('nope')).toBeUndefined();
  });

  it('a failed request is asked again by the next caller', async () => {
    let n = 0;
    const api = stubApi({ [ROUTE]: () => (++n === 1 ? apiError(503, 'DATABASE_UNAVAILABLE', 'db') : [PROVIDERS.redirectOnly]) });
    const store = useProvidersStore();
    await expect(store.load()).rejects.toMatchObject({ status: 503 });
    expect(store.enabled).toBeNull();
    await expect(store.load()).resolves.toHaveLength(1);
    expect(api.calls(ROUTE)).toHaveLength(2);
    expect(store.error).toBeNull();
  });

  it('the admin list (every registered gateway) is preferred for lookups: it has the switched-off ones too', async () => {
    const off = { ...PROVIDERS.redirectOnly, labels: { zh: '旧', en: 'Old' }, enabled: false, configured: false, refundsByApi: false };
    stubApi({ [ROUTE]: [PROVIDERS.qrCapable], [ADMIN_ROUTE]: [{ ...PROVIDERS.qrCapable, enabled: true, configured: true, refundsByApi: true }, off] });
    const store = useProvidersStore();
    await store.load();
    expect(store.find('sandbox')).toBeUndefined();
    await store.loadAdmin();
    expect(store.find('sandbox')?.labels.en).toBe('Old');
  });
});

describe('useProviders', () => {
  function withProviders(locale: AppLocale) {
    let api!: ReturnType<typeof useProviders>;
    const Probe = defineComponent({
      setup() {
        api = useProviders();
        return () => h('span', api.label('usdt_trc20'));
      },
    });
    const wrapper = mount(Probe, { global: { plugins: [createAppI18n(locale)] } });
    return { wrapper, api: () => api };
  }

  it.each([
    ['en', 'TRON (TRC20)', 'WeChat Pay'],
    ['zh', 'USDT（TRON TRC20）', '微信支付'],
  ] as const)('labels in the current language once loaded (%s); a name until then', async (locale, label, wxpay) => {
    stubApi({ [ROUTE]: [PROVIDERS.address] });
    const { wrapper, api } = withProviders(locale);
    expect(wrapper.text()).toBe('usdt_trc20');
    await api().load();
    await flushPromises();
    expect(wrapper.text()).toBe(label);
    expect(api().methodLabel('wxpay')).toBe(wxpay);
    expect(api().methodLabel('usdt')).toBe('USDT (TRC20)');
    expect(api().methodLabel('paypal')).toBe('paypal');
    expect(api().paidWith({ provider: 'usdt_trc20', paymentMethod: null })).toBe(label);
    expect(api().paidWith({ provider: 'usdt_trc20', paymentMethod: 'wxpay' })).toBe(wxpay);
  });

  it('a failed load is not an error for the page: labels stay names', async () => {
    stubApi({ [ROUTE]: apiError(500, 'INTERNAL', 'boom') });
    const { wrapper, api } = withProviders('en');
    await expect(api().load()).resolves.toBeUndefined();
    expect(wrapper.text()).toBe('usdt_trc20');
    expect(api().providers.value).toEqual([]);
  });
});
