import { createHmac } from 'node:crypto';
import { newSigningSecret, signatureHeader, verifySignature } from './webhook-signature';

describe('webhook signatures (Stripe scheme)', () => {
  const secret = 'whsec_test';
  const body = '{"id":"e1","type":"order.paid"}';
  const now = 1_800_000_000_000;

  it('signs "<t>.<body>" with HMAC-SHA256 keyed by the whole secret', () => {
    const expected = createHmac('sha256', secret).update(`1800000000.${body}`).digest('hex');
    expect(signatureHeader(secret, body, 1_800_000_000)).toBe(`t=1800000000,v1=${expected}`);
  });

  it('verifies its own signature, and refuses another body, another secret, an old timestamp or a garbled header', () => {
    const header = signatureHeader(secret, body, now / 1000);
    expect(verifySignature(secret, body, header, 300, now)).toBe(true);
    expect(verifySignature(secret, body.replace('paid', 'refunded'), header, 300, now)).toBe(false);
    expect(verifySignature('whsec_other', body, header, 300, now)).toBe(false);
    expect(verifySignature(secret, body, header, 300, now + 301_000)).toBe(false);
    expect(verifySignature(secret, body, 'v1=abc', 300, now)).toBe(false);
    expect(verifySignature(secret, body, header.replace(/v1=../, 'v1='), 300, now)).toBe(false);
  });

  it('signs with each secret during a rotation, and either secret verifies', () => {
    const header = signatureHeader(['whsec_new', secret], body, now / 1000);
    expect(header.split(',').map((part) => part.split('=')[0])).toEqual(['t', 'v1', 'v1']);
    expect(verifySignature('whsec_new', body, header, 300, now)).toBe(true);
    expect(verifySignature(secret, body, header, 300, now)).toBe(true);
    expect(verifySignature('whsec_third', body, header, 300, now)).toBe(false);
  });

  it('makes secrets of 32 random bytes, never the same twice', () => {
    const a = newSigningSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(newSigningSecret()).not.toBe(a);
  });
});
