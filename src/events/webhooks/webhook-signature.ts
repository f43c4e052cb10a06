import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'Recharge-Signature';
export const EVENT_ID_HEADER = 'Recharge-Event-Id';

/** A new endpoint's signing secret: `whsec_` and 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" keyed by the whole
 * secret>`: Stripe's scheme, so integrators can reuse the verification code
 * they know. The timestamp is signed with the body, so a captured delivery
 * cannot be replayed later under a fresh time. During a secret's rotation
 * there is one `v1` per secret (the new one first); a receiver accepts the
 * delivery when any of them matches its secret.
 */
export function signatureHeader(secrets: string | readonly string[], body: string, unixSeconds: number): string {
  const signed = `${unixSeconds}.${body}`;
  const digests = (typeof secrets === 'string' ? [secrets] : secrets).map((secret) => `v1=${createHmac('sha256', secret).update(signed).digest('hex')}`);
  return [`t=${unixSeconds}`, ...digests].join(',');
}

/** What an integrator runs (the README shows it): true when `header` signs `body` with `secret`, within `toleranceSeconds`. */
export function verifySignature(secret: string, body: string, header: string, toleranceSeconds = 300, now = Date.now()): boolean {
  const parts = header.split(',').map((part) => part.split('=', 2) as [string, string]);
  const t = Number(parts.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(now / 1000 - t) > toleranceSeconds) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  return parts
    .filter(([key]) => key === 'v1')
    .map(([, hex]) => Buffer.from(hex ?? '', 'hex'))
    .some((given) => given.length === expected.length && timingSafeEqual(given, expected));
}
