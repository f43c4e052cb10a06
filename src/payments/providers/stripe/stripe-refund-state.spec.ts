import { refundState } from './stripe.provider';

describe('a Stripe Refund as the refund saga reads it', () => {
  it.each([
    ['succeeded', undefined, { status: 'succeeded', gatewayStatus: 'succeeded', reason: null }],
    ['pending', undefined, { status: 'pending', gatewayStatus: 'pending', reason: null }],
    ['requires_action', undefined, { status: 'pending', gatewayStatus: 'requires_action', reason: null }],
    ['failed', 'expired_or_canceled_card', { status: 'failed', gatewayStatus: 'failed', reason: 'stripe: refund failed (expired_or_canceled_card)' }],
    ['canceled', undefined, { status: 'failed', gatewayStatus: 'canceled', reason: 'stripe: refund canceled' }],
    // A status Stripe may add later is not taken as done.
    ['in_review', undefined, { status: 'pending', gatewayStatus: 'in_review', reason: null }],
  ])('%s (%s)', (status, failureReason, expected) => {
    expect(refundState({ status, failure_reason: failureReason })).toEqual(expected);
  });
});
