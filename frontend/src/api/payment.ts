import { http } from './client';
import { withIdempotencyKey } from './http';
import type { CreateOrderRequest, Offers, Order, OrderListQuery, OrderPage, PaymentConfig, Provider } from './types';

export function getPaymentConfig(): Promise<PaymentConfig> {
  return http.get<PaymentConfig>('/payment/config');
}

/** The enabled gateways: labels in each language, methods, and how the payer pays (display). */
export function getProviders(): Promise<Provider[]> {
  return http.get<Provider[]>('/payment/providers');
}

/**
 * The campaigns an order of `amountCny` (a CNY decimal string) created now would get, with their
 * bonuses: what creating the order would fix on it. 400 for an amount outside the configured limits.
 */
export function getOffers(amountCny: string, signal?: AbortSignal): Promise<Offers> {
  return http.get<Offers>('/payment/offers', { query: { amountCny }, signal });
}

/**
 * 201 with the order and where to pay (a URL, or QR content for display "qrcode").
 * Sent with an Idempotency-Key: pass the same key to resend the same attempt
 * (an answer lost to the network), none (a fresh key) for a new one.
 */
export function createOrder(body: CreateOrderRequest, idempotencyKey?: string): Promise<Order> {
  return http.post<Order>('/payment/orders', body, withIdempotencyKey({}, idempotencyKey));
}

export function listOrders(query: OrderListQuery = {}): Promise<OrderPage> {
  return http.get<OrderPage>('/payment/orders', { query });
}

export function getOrder(orderNo: string, signal?: AbortSignal): Promise<Order> {
  return http.get<Order>(`/payment/orders/${encodeURIComponent(orderNo)}`, { signal });
}

/**
 * Own pending order → cancelled, or the order as paid when the gateway says it
 * was paid meanwhile (409 PAYMENT_ORDER_NOT_PENDING otherwise).
 */
export function cancelOrder(orderNo: string): Promise<Order> {
  return http.post<Order>(`/payment/orders/${encodeURIComponent(orderNo)}/cancel`);
}
