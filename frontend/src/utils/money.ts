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
