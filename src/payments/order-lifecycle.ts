import { EventType } from '../events/event-catalog';
import { OrderStatus } from './payment-order.entity';

/**
 * Every move of payment_orders.status, written once. Each is a conditional
 * UPDATE in PaymentOrdersRepository (`… WHERE status = ANY(from)`), so of two
 * racing moves of one order exactly one matches, and a move that is not in
 * this table cannot be written. `event` is what the move announces, in its
 * own statement (a failed start or a refused refund announces nothing of
 * its own: the order never held money, or the ledger's rows say it).
 *
 *   pending ──expire──▶ expired ───┐
 *      ├──cancel──▶ cancelled ─────┤ markPaid
 *      ├──fail────▶ failed ────────┤
 *      └──────────markPaid──────▶ paid ◀──failRefund (failed later)───────┐
 *                                   │ ▲ ──recordRefund (made outside)──────┤
 *                       startRefund │ │ reverseRefund (the gateway refused)│
 *                                   ▼ │                                    │
 *                                refunding ──completeRefund───────────▶ refunded
 */
export const ORDER_TRANSITIONS = {
  /** A verified payment of the exact amount. The customer's money was taken, so any unpaid state is credited. */
  markPaid: { from: [OrderStatus.Pending, OrderStatus.Expired, OrderStatus.Cancelled, OrderStatus.Failed], to: OrderStatus.Paid, event: 'order.paid' },
  /** expire_at passed unpaid (the expiry job), or the gateway closed the session. */
  expire: { from: [OrderStatus.Pending], to: OrderStatus.Expired, event: 'order.expired' },
  /** The owner gave up (the gateway session was closed first where the gateway allows it). */
  cancel: { from: [OrderStatus.Pending], to: OrderStatus.Cancelled, event: 'order.cancelled' },
  /** The gateway refused to start the payment, or reported it failed. */
  fail: { from: [OrderStatus.Pending], to: OrderStatus.Failed, event: null },
  /** A refund saga's first step: the user is debited in the same transaction. */
  startRefund: { from: [OrderStatus.Paid], to: OrderStatus.Refunding, event: 'order.refunding' },
  /** The gateway confirmed the refund. */
  completeRefund: { from: [OrderStatus.Refunding], to: OrderStatus.Refunded, event: 'order.refunded' },
  /** The gateway refused the refund: the debit is given back in the same transaction. */
  reverseRefund: { from: [OrderStatus.Refunding], to: OrderStatus.Paid, event: null },
  /** A refund that already happened outside this app: recorded by an admin, or reported by the gateway. */
  recordRefund: { from: [OrderStatus.Paid], to: OrderStatus.Refunded, event: 'order.refunded' },
  /**
   * The gateway had confirmed the refund, then reported it failed (a card
   * refund can fail days later): the debit is given back in the same
   * transaction and the order's payment stands again, so it announces
   * order.paid (the order as it is now; no new money came in).
   */
  failRefund: { from: [OrderStatus.Refunded], to: OrderStatus.Paid, event: 'order.paid' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus; event: EventType | null }>;

export type OrderTransition = keyof typeof ORDER_TRANSITIONS;

/** The states a payment is credited from. */
export const UNPAID_STATES: readonly OrderStatus[] = ORDER_TRANSITIONS.markPaid.from;

export function canTransition(transition: OrderTransition, from: OrderStatus): boolean {
  return (ORDER_TRANSITIONS[transition].from as readonly OrderStatus[]).includes(from);
}
