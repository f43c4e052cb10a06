import { beforeEach, describe, expect, it } from 'vitest';
import { QR_ORDERS_STORAGE_KEY, isPageUrl, paymentDisplayOf, rememberQrOrder } from '../paymentDisplay';

beforeEach(() => localStorage.clear());

describe('paymentDisplayOf', () => {
  it('a web page is opened; app links and other QR content are shown as a QR code', () => {
    expect(paymentDisplayOf({ orderNo: 'PO1', paymentUrl: 'https://pay.example/checkout/PO1' })).toBe('redirect');
    expect(paymentDisplayOf({ orderNo: 'PO1', paymentUrl: 'HTTP://127.0.0.1:3000/api/payment/sandbox/checkout/x' })).toBe('redirect');
    expect(paymentDisplayOf({ orderNo: 'PO1', paymentUrl: 'weixin://wxpay/bizpayurl?pr=abc' })).toBe('qrcode');
    expect(paymentDisplayOf({ orderNo: 'PO1', paymentUrl: 'alipays://platformapi/startapp?x=1' })).toBe('qrcode');
    expect(isPageUrl('  https://a.example ')).toBe(true);
    expect(isPageUrl('ftp://a.example')).toBe(false);
  });

  it('an order created as a QR code on this device stays a QR code, even with a web address', () => {
    const order = { orderNo: 'PO7', paymentUrl: 'https://qr.alipay.com/bax0123' };
    expect(paymentDisplayOf(order)).toBe('redirect');
    rememberQrOrder('PO7');
    expect(paymentDisplayOf(order)).toBe('qrcode');
    expect(paymentDisplayOf({ ...order, orderNo: 'PO8' })).toBe('redirect');
  });

  it('remembers the latest 50 orders once each, and survives unreadable storage', () => {
    for (let i = 0; i < 60; i += 1) rememberQrOrder(`PO${i}`);
    rememberQrOrder('PO59');
    const kept = JSON.parse(localStorage.getItem(QR_ORDERS_STORAGE_KEY)!) as string[];
    expect(kept).toHaveLength(50);
    expect(kept[0]).toBe('PO59');
    expect(kept).not.toContain('PO9');
    expect(new Set(kept).size).toBe(50);

    localStorage.setItem(QR_ORDERS_STORAGE_KEY, '{not json');
    expect(paymentDisplayOf({ orderNo: 'PO59', paymentUrl: 'https://x.example' })).toBe('redirect');
    rememberQrOrder('PO1');
    expect(paymentDisplayOf({ orderNo: 'PO1', paymentUrl: 'https://x.example' })).toBe('qrcode');
  });
});
