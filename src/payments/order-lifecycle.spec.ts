import { ORDER_TRANSITIONS, OrderTransition, canTransition } from './order-lifecycle';
import { OrderStatus } from './payment-order.entity';

const S = OrderStatus;

describe('the order lifecycle', () => {
  it.each<[OrderTransition, OrderStatus, boolean]>([
    // Money taken is never lost: every unpaid state can be paid.
    ['markPaid', S.Pending, true],
    ['markPaid', S.Expired, true],
    ['markPaid', S.Cancelled, true],
    ['markPaid', S.Failed, true],
    ['markPaid', S.Paid, false],
    ['markPaid', S.Refunding, false],
    ['markPaid', S.Refunded, false],
    ['expire', S.Pending, true],
    ['expire', S.Cancelled, false],
    ['cancel', S.Pending, true],
    ['cancel', S.Expired, false],
    ['cancel', S.Paid, false],
    ['fail', S.Pending, true],
    ['fail', S.Paid, false],
    ['startRefund', S.Paid, true],
    ['startRefund', S.Refunding, false],
    ['startRefund', S.Refunded, false],
    ['completeRefund', S.Refunding, true],
    ['completeRefund', S.Paid, false],
    ['reverseRefund', S.Refunding, true],
    ['reverseRefund', S.Refunded, false],
    ['recordRefund', S.Paid, true],
    ['recordRefund', S.Refunding, false],
    // A refund the gateway confirmed and then failed: the order's payment stands again.
    ['failRefund', S.Refunded, true],
    ['failRefund', S.Refunding, false],
    ['failRefund', S.Paid, false],
  ])('%s from %s: %s', (transition, from, allowed) => {
    expect(canTransition(transition, from)).toBe(allowed);
  });

  it('reaches every state, and leaves refunded only back to paid, when the gateway failed the refund later', () => {
    const targets = new Set(Object.values(ORDER_TRANSITIONS).map((t) => t.to));
    expect([...targets].sort()).toEqual(Object.values(OrderStatus).filter((s) => s !== S.Pending).sort());
    const fromRefunded = Object.entries(ORDER_TRANSITIONS).filter(([, t]) => (t.from as readonly OrderStatus[]).includes(S.Refunded));
    expect(fromRefunded).toEqual([['failRefund', { from: [S.Refunded], to: S.Paid, event: 'order.paid' }]]);
  });
});
