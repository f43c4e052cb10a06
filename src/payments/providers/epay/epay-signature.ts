import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The epay MD5 signature (a worked example is in docs/gateways.md): every field except `sign`,
 * `sign_type` and empty values, sorted by key in plain code-unit order (not
 * localeCompare), joined as k1=v1&k2=v2 with raw (not URL-encoded) values,
 * the merchant key appended with no separator; MD5, lower-case hex.
 */
export function epaySign(fields: Readonly<Record<string, string>>, key: string): string {
  const content = Object.keys(fields)
    .filter((k) => k !== 'sign' && k !== 'sign_type' && fields[k] !== '' && fields[k] !== undefined)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
  return createHash('md5').update(content + key, 'utf8').digest('hex');
}

/** Checks `fields.sign` over the exact strings received, in constant time. */
export function epayVerify(fields: Readonly<Record<string, string>>, key: string): boolean {
  const given = fields.sign;
  if (typeof given !== 'string' || !/^[0-9a-fA-F]{32}$/.test(given)) return false;
  const expected = Buffer.from(epaySign(fields, key), 'utf8');
  return timingSafeEqual(expected, Buffer.from(given.toLowerCase(), 'utf8'));
}

/** The fields with their `sign` and `sign_type=MD5` added, as epay gateways expect them sent. */
export function epaySigned(fields: Readonly<Record<string, string>>, key: string): Record<string, string> {
  return { ...fields, sign: epaySign(fields, key), sign_type: 'MD5' };
}
