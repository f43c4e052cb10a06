import { describe, expect, it } from 'vitest';
import en from '../locales/en';
import zh from '../locales/zh';
import { detectLocale } from '..';
import {
  LEDGER_TYPES,
  ORDER_STATUSES,
  REDEEM_BATCH_STATUSES,
  REFUND_METHODS,
  REFUND_STATUSES,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENT_TYPES,
  WEBHOOK_OUTCOMES,
} from '../../api/types';

type Tree = { [key: string]: unknown };

/** Every leaf key path, e.g. "auth.validation.passwordLength". */
function leafKeys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'object' && value !== null ? leafKeys(value as Tree, path) : [path];
  });
}

function leafValue(tree: Tree, path: string): unknown {
  return path.split('.').reduce<unknown>((node, key) => (node as Tree | undefined)?.[key], tree);
}

const placeholders = (message: string) => [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('locale parity', () => {
  const enKeys = leafKeys(en);
  const zhKeys = leafKeys(zh);

  it('has a non-trivial number of keys', () => {
    expect(enKeys.length).toBeGreaterThan(20);
  });

  it('every en key exists in zh', () => {
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([]);
  });

  it('every zh key exists in en', () => {
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([]);
  });

  it.each(enKeys)('%s is a non-empty string with the same placeholders in both', (key) => {
    const a = leafValue(en, key);
    const b = leafValue(zh, key);
    expect(typeof a).toBe('string');
    expect(typeof b).toBe('string');
    expect((a as string).trim()).not.toBe('');
    expect((b as string).trim()).not.toBe('');
    expect(placeholders(b as string)).toEqual(placeholders(a as string));
  });

  it('finds a missing key (the checker itself works)', () => {
    const broken = { auth: { login: 'x', nested: { deep: 'y' } } };
    expect(leafKeys(broken)).toEqual(['auth.login', 'auth.nested.deep']);
  });
});

describe('labels for API values and error codes', () => {
  const has = (path: string) => typeof leafValue(en, path) === 'string' && typeof leafValue(zh, path) === 'string';

  it.each([
    // The payment module's DomainException codes
    'PAYMENT_DISABLED',
    'PAYMENT_AMOUNT_OUT_OF_RANGE',
    'PAYMENT_PROVIDER_UNAVAILABLE',
    'PAYMENT_METHOD_UNSUPPORTED',
    'PAYMENT_TOO_MANY_ORDERS',
    'PAYMENT_TOO_MANY_PENDING',
    'PAYMENT_GATEWAY_FAILED',
    'PAYMENT_ORDER_NOT_FOUND',
    'PAYMENT_ORDER_NOT_PENDING',
    'PAYMENT_NO_DUPLICATE_PAYMENT',
    'PAYMENT_NO_REFUND_UNDER_WAY',
    'PAYMENT_NO_UNMATCHED_PAYMENT',
    'REFERRAL_CODE_NOT_FOUND',
    'REFERRAL_INVITEE_LIMIT_REACHED',
    'VALIDATION_FAILED',
    'UNAUTHENTICATED',
    'RATE_LIMITED',
    'AUTH_TOO_MANY_FAILURES',
    'INTERNAL',
    // Retries of a request the web app sends with an Idempotency-Key
    'IDEMPOTENCY_KEY_IN_USE',
    'IDEMPOTENCY_KEY_REUSED',
    // Admin actions
    'ADMIN_ORDER_CANNOT_CONFIRM',
    'ADMIN_ORDER_CANNOT_REFUND',
    'ADMIN_REFUND_BALANCE_TOO_LOW',
    'ADMIN_REFUND_GATEWAY_FAILED',
    'LEDGER_INSUFFICIENT_BALANCE',
    'LEDGER_USER_NOT_FOUND',
    'LEDGER_ZERO_AMOUNT',
    'FORBIDDEN',
    // redeem codes and API keys
    'REDEEM_CODE_INVALID',
    'REDEEM_CODE_ALREADY_REDEEMED',
    'REDEEM_TOO_MANY_FAILURES',
    'REDEEM_BATCH_NOT_FOUND',
    'API_KEY_NOT_FOUND',
    // webhook endpoints
    'WEBHOOK_ENDPOINT_NOT_FOUND',
    'WEBHOOK_DELIVERY_NOT_FOUND',
    'WEBHOOK_ENDPOINT_URL_REFUSED',
    'WEBHOOK_UNKNOWN_EVENT_TYPE',
  ])('error code %s is translated', (code) => {
    expect(has(`errors.codes.${code}`)).toBe(true);
  });

  it('every known method, order status, ledger type, invitee status, refund state and method and event outcome has a label', () => {
    const paths = [
      ...['alipay', 'wxpay', 'card', 'usdt'].map((m) => `methods.${m}`),
      ...ORDER_STATUSES.map((s) => `orderStatus.${s}`),
      ...LEDGER_TYPES.map((ty) => `records.types.${ty}`),
      ...['registered', 'qualified', 'rewarded'].map((s) => `referral.status.${s}`),
      ...REFUND_STATUSES.map((s) => `admin.refund.status.${s}`),
      ...REFUND_METHODS.map((m) => `admin.refund.method.${m}`),
      ...WEBHOOK_OUTCOMES.map((o) => `admin.eventOutcome.${o}`),
      ...REDEEM_BATCH_STATUSES.map((s) => `admin.redeem.statuses.${s}`),
      ...WEBHOOK_DELIVERY_STATUSES.map((s) => `admin.webhooks.deliveryStatuses.${s}`),
      ...WEBHOOK_EVENT_TYPES.map((ty) => `admin.webhooks.eventHints.${ty.replace(/\./g, '_')}`),
    ];
    expect(WEBHOOK_EVENT_TYPES).toHaveLength(17);
    expect(REDEEM_BATCH_STATUSES).toEqual(['active', 'disabled', 'expired']);
    expect(LEDGER_TYPES).toHaveLength(7);
    expect(ORDER_STATUSES).toEqual(['pending', 'paid', 'expired', 'cancelled', 'failed', 'refunding', 'refunded']);
    expect(REFUND_STATUSES).toHaveLength(4);
    expect(REFUND_METHODS).toHaveLength(3);
    expect(paths.filter((p) => !has(p))).toEqual([]);
  });

  it('has no labels of its own for gateways: they come from the API (GET /api/payment/providers)', () => {
    expect(leafValue(en, 'providers')).toBeUndefined();
    expect(leafValue(zh, 'providers')).toBeUndefined();
  });

  it('the address payment panel is translated, with its exact-amount warning naming the amount and currency', () => {
    for (const key of ['title', 'exact']) {
      expect(placeholders(leafValue(en, `recharge.address.${key}`) as string)).toEqual(['amount', 'currency']);
    }
    expect(leafValue(zh, 'recharge.address.found')).toBe('已收到您的付款');
    expect(leafValue(en, 'recharge.address.found')).toBe('We found your payment');
  });
});

describe('detectLocale', () => {
  it.each([
    [null, ['zh-CN', 'en'], 'zh'],
    [null, ['zh-TW'], 'zh'],
    [null, ['ZH'], 'zh'],
    [null, ['en-US', 'zh-CN'], 'en'],
    [null, ['fr-FR'], 'en'],
    [null, [], 'en'],
    ['en', ['zh-CN'], 'en'],
    ['zh', ['en-US'], 'zh'],
    ['de', ['zh-CN'], 'zh'],
  ] as const)('stored %s, navigator %j → %s', (stored, languages, expected) => {
    expect(detectLocale(stored, languages)).toBe(expected);
  });
});
