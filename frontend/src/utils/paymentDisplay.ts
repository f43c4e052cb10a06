import type { Order, OrderDisplay } from '../api/types';

/** Where the orders shown as a QR code on this device are remembered (the API does not say how an order was shown). */
export const QR_ORDERS_STORAGE_KEY = 'recharge.qrOrders';
/** Enough for every order that can still be pending; older ones fall off. */
const REMEMBERED = 50;

function readQrOrders(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(QR_ORDERS_STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((v): v is string => typeof v === 'string') : [];
  } catch {
    return [];
  }
}

/** Notes that this order's paymentUrl is QR code content (asked for with display "qrcode"). */
export function rememberQrOrder(orderNo: string): void {
  try {
    const kept = readQrOrders().filter((n) => n !== orderNo);
    localStorage.setItem(QR_ORDERS_STORAGE_KEY, JSON.stringify([orderNo, ...kept].slice(0, REMEMBERED)));
  } catch {
    /* storage disabled: the URL's shape decides */
  }
}

/** A page the browser can open, as opposed to QR content such as "weixin://wxpay/…". */
export function isPageUrl(value: string): boolean {
  return /^https?:\/\//i.test(value.trim());
}

/**
 * How to show an order's payment again: as the QR code it was created as on
 * this device, else a web page is opened (redirect) and anything else
 * (an app link such as weixin://) is QR code content.
 */
export function paymentDisplayOf(order: Pick<Order, 'orderNo' | 'paymentUrl'>): OrderDisplay {
  if (order.paymentUrl === null || !isPageUrl(order.paymentUrl)) return 'qrcode';
  return readQrOrders().includes(order.orderNo) ? 'qrcode' : 'redirect';
}
