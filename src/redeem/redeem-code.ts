import { createHash, randomInt } from 'node:crypto';

/** No 0/O, 1/I/L: nothing a person could misread when typing a code from paper or a screen. */
export const REDEEM_CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
const GROUPS = 4;
const GROUP_LENGTH = 4;
export const REDEEM_CODE_LENGTH = GROUPS * GROUP_LENGTH;

/** A new code, `XXXX-XXXX-XXXX-XXXX`: 16 characters drawn uniformly from 31 (about 79 bits). */
export function generateRedeemCode(): string {
  let raw = '';
  for (let i = 0; i < REDEEM_CODE_LENGTH; i++) raw += REDEEM_CODE_ALPHABET[randomInt(REDEEM_CODE_ALPHABET.length)];
  return raw.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g'))!.join('-');
}

/**
 * What a person typed, as the 16 characters that were generated: any case,
 * with or without dashes and spaces; null when it cannot be a code at all
 * (such input never reaches the database).
 */
export function normalizeRedeemCode(input: string): string | null {
  const raw = input.toUpperCase().replace(/[\s-]/g, '');
  if (raw.length !== REDEEM_CODE_LENGTH) return null;
  for (const char of raw) if (!REDEEM_CODE_ALPHABET.includes(char)) return null;
  return raw;
}

/** The stored form of a normalized code. The code is random, so a fast hash suffices. */
export const hashRedeemCode = (normalized: string): string => createHash('sha256').update(normalized).digest('hex');
