import Stripe from 'stripe';
import TestAgent from 'supertest/lib/agent';

const signer = new Stripe('sk_test_signer');

/** A Stripe event as Stripe would deliver it: the JSON body and its Stripe-Signature header, signed with `secret`. */
export function signedStripeEvent(secret: string, type: string, object: object, id = `evt_${Math.random().toString(36).slice(2)}`) {
  const payload = JSON.stringify({ id, object: 'event', type, data: { object } });
  return { payload, header: signer.webhooks.generateTestHeaderString({ payload, secret }) };
}

/** Delivers a signed Stripe event to the app's webhook. */
export function sendStripeEvent(http: TestAgent, { payload, header }: { payload: string; header: string }) {
  return http.post('/api/payment/webhook/stripe').set('Content-Type', 'application/json').set('Stripe-Signature', header).send(payload);
}

/** A header signed for another moment, to test the signature's tolerance. */
export function stripeHeaderAt(secret: string, payload: string, timestamp: number): string {
  return signer.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}
