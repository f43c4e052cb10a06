const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * Formats a decimal money string for display by string manipulation only —
 * never through a JS number. Keeps between `minDecimals` and `maxDecimals`
 * fraction digits (trailing zeros trimmed; digits beyond `maxDecimals` are
 * cut off, not rounded — the server sends at most 8) and groups thousands.
 *
 *   formatMoney("12.50000000") → "12.50"
 *   formatMoney("2.77777778")  → "2.77777778"
 *   formatMoney("1234567")     → "1,234,567.00"
 *
 * Anything that is not a plain decimal string is returned unchanged.
 */
export function formatMoney(value: string, minDecimals = 2, maxDecimals = 8): string {
  const m = DECIMAL.exec(value.trim());
  if (!m) return value;
  const sign = m[1] ?? '';
  const intPart = (m[2] ?? '0').replace(/^0+(?=\d)/, '');
  let frac = (m[3] ?? '').slice(0, maxDecimals).replace(/0+$/, '');
  if (frac.length < minDecimals) frac = frac.padEnd(minDecimals, '0');
  const grouped = intPart.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const isZero = /^0*$/.test(intPart + frac);
  return `${isZero ? '' : sign}${grouped}${frac ? `.${frac}` : ''}`;
}

/*
 * Fixed-point decimal arithmetic on strings, through BigInt — for the live
 * preview only (the server computes the real amounts). A decimal "d.ddd" is
 * held as an integer `n` and a `scale`: value = n / 10^scale. Exact for
 * add / compare / multiply; a division is rounded once, half-up (halves away
 * from zero, like decimal.js ROUND_HALF_UP used by the API), to the scale asked.
 */

/** CNY amounts carry 2 decimals, USD amounts 8, as their NUMERIC columns do. */
export const CNY_SCALE = 2;
export const USD_SCALE = 8;

const STRICT_DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

interface Fixed {
  n: bigint;
  scale: number;
}

function pow10(k: number): bigint {
  return 10n ** BigInt(k);
}

/** Parses "12", "-0.5", "7.2000"; null for anything else (exponents, blanks, "1.", ".5"). */
function parseFixed(value: string): Fixed | null {
  const m = STRICT_DECIMAL.exec(value.trim());
  if (!m) return null;
  const frac = m[3] ?? '';
  const n = BigInt((m[2] ?? '0') + frac);
  return { n: m[1] === '-' ? -n : n, scale: frac.length };
}

function mustParse(value: string): Fixed {
  const f = parseFixed(value);
  if (!f) throw new RangeError(`not a decimal: ${JSON.stringify(value)}`);
  return f;
}

/** Same value at a larger scale (exact). */
function rescale(f: Fixed, scale: number): bigint {
  return f.n * pow10(scale - f.scale);
}

/** num / den rounded half-up (halves away from zero) to an integer. */
function divHalfUp(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new RangeError('division by zero');
  const negative = num < 0n !== den < 0n;
  const a = num < 0n ? -num : num;
  const b = den < 0n ? -den : den;
  let q = a / b;
  if ((a % b) * 2n >= b) q += 1n;
  return negative ? -q : q;
}

/** An integer of units of 10^-scale as a decimal string with exactly `scale` decimals. */
function toDecimalString(n: bigint, scale: number): string {
  const negative = n < 0n;
  const digits = (negative ? -n : n).toString().padStart(scale + 1, '0');
  const int = digits.slice(0, digits.length - scale);
  const frac = digits.slice(digits.length - scale);
  return `${negative ? '-' : ''}${int}${scale > 0 ? `.${frac}` : ''}`;
}

/** True for a plain decimal string ("20", "-1.5"); false for "1e3", "", "abc". */
export function isDecimal(value: string): boolean {
  return parseFixed(value) !== null;
}

/** `a × b ÷ c`, rounded half-up once to `scale` decimals. Throws on a non-decimal or c = 0. */
export function mulDiv(a: string, b: string, c: string, scale: number): string {
  const fa = mustParse(a);
  const fb = mustParse(b);
  const fc = mustParse(c);
  // (na/10^sa)(nb/10^sb) / (nc/10^sc) × 10^scale = na·nb·10^(sc+scale) / (nc·10^(sa+sb))
  const num = fa.n * fb.n * pow10(fc.scale + scale);
  const den = fc.n * pow10(fa.scale + fb.scale);
  return toDecimalString(divHalfUp(num, den), scale);
}

/**
 * USD for a CNY amount, as the server converts it: amount_cny × discount_rate ÷ exchange_rate,
 * rounded half-up to 8 decimals.  cnyToUsd("20.00", "1", "7.2") → "2.77777778"
 */
export function cnyToUsd(amountCny: string, discountRate: string, exchangeRate: string): string {
  return mulDiv(amountCny, discountRate, exchangeRate, USD_SCALE);
}

/**
 * New-user bonus, as the server grants it: amount_usd × percent / 100, rounded half-up to
 * 8 decimals.  bonusUsd("2.77777778", 30) → "0.83333333"
 */
export function bonusUsd(amountUsd: string, percent: number | string): string {
  return mulDiv(amountUsd, String(percent), '100', USD_SCALE);
}

/** `value` rounded half-up to `scale` decimals: roundDecimal("13.88888889", 2) → "13.89". */
export function roundDecimal(value: string, scale: number): string {
  return mulDiv(value, '1', '1', scale);
}

/** a + b, exact, with max(scale of a, scale of b, minScale) decimals. */
export function addDecimal(a: string, b: string, minScale = 0): string {
  const fa = mustParse(a);
  const fb = mustParse(b);
  const scale = Math.max(fa.scale, fb.scale, minScale);
  return toDecimalString(rescale(fa, scale) + rescale(fb, scale), scale);
}

/** -1, 0 or 1 as a <, =, > b (exact: "1.10" equals "1.1"). */
export function compareDecimal(a: string, b: string): -1 | 0 | 1 {
  const fa = mustParse(a);
  const fb = mustParse(b);
  const scale = Math.max(fa.scale, fb.scale);
  const d = rescale(fa, scale) - rescale(fb, scale);
  return d > 0n ? 1 : d < 0n ? -1 : 0;
}

/** -1 debit, 1 credit, 0 zero (or not a decimal). */
export function decimalSign(value: string): -1 | 0 | 1 {
  const f = parseFixed(value);
  if (!f || f.n === 0n) return 0;
  return f.n > 0n ? 1 : -1;
}

/** A user-typed CNY amount: digits with at most 2 decimals, no sign ("20", "20.5", "20.50"). */
export function isCnyInput(value: string): boolean {
  return /^\d+(?:\.\d{1,2})?$/.test(value.trim());
}

/** A valid CNY input with exactly 2 decimals: "20" → "20.00", "007.5" → "7.50". */
export function normalizeCny(value: string): string {
  const f = mustParse(value);
  if (f.scale > CNY_SCALE) throw new RangeError(`more than ${CNY_SCALE} decimals: ${value}`);
  return toDecimalString(rescale(f, CNY_SCALE), CNY_SCALE);
}

export type Currency = 'USD' | 'CNY';
/** End users read money as a wallet shows it; admins reconcile against the ledger and see every stored digit. */
export type MoneyAudience = 'user' | 'admin';

export interface DisplayMoney {
  /** What is shown: "13.89" for a user, "13.88888889" for an admin. */
  text: string;
  /** The exact stored value, for a tooltip: "13.88888889". */
  exact: string;
}

/**
 * The one way money is put on screen. CNY always has 2 decimals. USD has 2
 * for end users (rounded half-up, for display only: the balance itself keeps
 * 8) and the exact value for admins (up to 8, no rounding). `exact` is the
 * full value for the hover title.
 *
 *   displayMoney("13.88888889", "USD")          → { text: "13.89", exact: "13.88888889" }
 *   displayMoney("0.004", "USD")                → { text: "0.00", exact: "0.004" }
 *   displayMoney("13.88888889", "USD", "admin") → { text: "13.88888889", exact: "13.88888889" }
 *   displayMoney("1234.5", "CNY")               → { text: "1,234.50", exact: "1,234.50" }
 *
 * Anything that is not a plain decimal string is shown unchanged.
 */
export function displayMoney(value: string, currency: Currency, audience: MoneyAudience = 'user'): DisplayMoney {
  if (!isDecimal(value)) return { text: value, exact: value };
  const exact = formatMoney(value, 2, USD_SCALE);
  if (currency === 'CNY') return { text: formatMoney(roundDecimal(value, CNY_SCALE), 2, 2), exact };
  if (audience === 'admin') return { text: exact, exact };
  return { text: formatMoney(roundDecimal(value, 2), 2, 2), exact };
}

/**
 * A signed amount for display, with its sign always shown and a class for
 * the colour: "+2.77777778" (amount-credit), "-5.00" (amount-debit).
 */
export function signedMoney(
  amount: string,
  currency: Currency = 'USD',
  audience: MoneyAudience = 'admin',
): { text: string; exact: string; cls: 'amount-credit' | 'amount-debit' | 'amount-zero' } {
  const sign = decimalSign(amount);
  const { text, exact } = displayMoney(amount, currency, audience);
  if (sign > 0) return { text: `+${text}`, exact: `+${exact}`, cls: 'amount-credit' };
  if (sign < 0) return { text, exact, cls: 'amount-debit' };
  return { text, exact, cls: 'amount-zero' };
}

export type SignedAmountProblem = 'required' | 'format' | 'scale' | 'zero' | 'range';

/**
 * Checks a typed signed amount ("5", "-2.5", "+0.00000001"): a plain decimal
 * with at most `maxScale` decimals, not zero, |amount| ≤ `maxAbs`.
 * Returns the problem, or null with the string to send (trimmed, no "+").
 */
export function checkSignedAmount(
  value: string,
  maxScale = USD_SCALE,
  maxAbs = '1000000',
): { problem: SignedAmountProblem; value?: undefined } | { problem: null; value: string } {
  const v = value.trim();
  if (v === '') return { problem: 'required' };
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(v);
  if (!m) return { problem: 'format' };
  if ((m[3] ?? '').length > maxScale) return { problem: 'scale' };
  const out = v.startsWith('+') ? v.slice(1) : v;
  if (decimalSign(out) === 0) return { problem: 'zero' };
  const abs = out.startsWith('-') ? out.slice(1) : out;
  if (compareDecimal(abs, maxAbs) > 0) return { problem: 'range' };
  return { problem: null, value: out };
}
