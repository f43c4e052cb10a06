/**
 * What a gateway event's payload says about the money that arrived, for
 * events an admin must act on (a payment of another amount, one that matches
 * no order). The payload is the gateway's news as received (JSON text); a
 * gateway that finds transfers on a chain records `transaction_id`, `from`,
 * `to`, `token`, `value` (in the token's smallest units), `amount` (a decimal
 * string) and `block_timestamp` (ms). Any field may be missing; a payload that
 * is not a JSON object gives nothing (it is still shown raw).
 */
export interface PaymentFacts {
  /** The decimal amount paid, exactly as recorded (never rounded). */
  amount: string | null;
  /** The token (its contract address) or currency paid in. */
  token: string | null;
  from: string | null;
  to: string | null;
  transactionId: string | null;
  /** When the payment was made (ISO-8601), if the payload says. */
  paidAt: string | null;
}

const EMPTY: PaymentFacts = { amount: null, token: null, from: null, to: null, transactionId: null, paidAt: null };

function text(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  // An amount sent as a JSON number is shown as sent; anything else is not a fact we can show.
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function isoOf(value: unknown): string | null {
  const ms = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(ms) || ms <= 0) return null;
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export function paymentFacts(payload: string | null | undefined): PaymentFacts {
  if (!payload) return EMPTY;
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload);
  } catch {
    return EMPTY; // form-encoded or not JSON: nothing to pick out
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return EMPTY;
  const p = parsed as Record<string, unknown>;
  return {
    amount: text(p.amount),
    token: text(p.token),
    from: text(p.from),
    to: text(p.to),
    transactionId: text(p.transaction_id),
    paidAt: isoOf(p.block_timestamp),
  };
}
