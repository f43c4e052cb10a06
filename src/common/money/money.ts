import Decimal from 'decimal.js';

/**
 * Money arithmetic. Amounts travel as decimal strings (API, entities, SQL
 * parameters) and are computed with this Decimal clone; never with `number`.
 *
 * Rounding: half-up — for negative amounts, half away from zero —
 * to the scale of the column that stores the result, once, at the step that
 * produces a stored amount.
 */
export const Money = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -30, toExpPos: 40 });
export type Money = Decimal;

/** CNY columns are NUMERIC(20,2). */
export const CNY_SCALE = 2;
/** USD columns (balances, ledger) are NUMERIC(20,8). */
export const USD_SCALE = 8;

/** The largest magnitude a NUMERIC(20, scale) column holds is below 10^(20-scale). */
export function columnLimit(scale: number): Money {
  return new Money(10).pow(20 - scale);
}

const DECIMAL_PATTERN = /^-?\d+(\.\d+)?$/;

/** A plain decimal string: optional minus, digits, optional fraction. No exponent, no spaces, no '+'. */
export function isDecimalString(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 64 && DECIMAL_PATTERN.test(value);
}

/** Digits after the decimal point, trailing zeros included ("1.50" → 2). */
export function decimalPlaces(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** Half-up to `scale` places, as a fixed-point string ("2.777777777" → "2.77777778" at 8). */
export function roundToScale(value: Decimal.Value, scale: number): string {
  return new Money(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_UP).toFixed(scale);
}

export const toCny = (value: Decimal.Value): string => roundToScale(value, CNY_SCALE);
export const toUsd = (value: Decimal.Value): string => roundToScale(value, USD_SCALE);

/**
 * amount_usd = amount_cny × discount_rate ÷ exchange_rate, computed exactly
 * (50 significant digits) and rounded half-up to 8 places once at the end.
 */
export function convertCnyToUsd(amountCny: string, discountRate: string, exchangeRate: string): string {
  return toUsd(new Money(amountCny).times(discountRate).dividedBy(exchangeRate));
}

/**
 * bonus = amount_usd × percent / 100, rounded half-up to 8 places.
 */
export function percentOf(amountUsd: string, percent: number): string {
  return toUsd(new Money(amountUsd).times(percent).dividedBy(100));
}

/**
 * The shortest fixed-point form with at least `minScale` places, for amounts
 * stored at a wider scale than they were given ("2.78100000" → "2.781",
 * "20.00000000" → "20.00"). Only the display changes: the value is exact.
 */
export function trimAmount(value: Decimal.Value, minScale = 2): string {
  const amount = new Money(value);
  return amount.toFixed(Math.max(minScale, amount.decimalPlaces()));
}
