import { randomInt } from 'node:crypto';

/** Upper-case letters and digits without look-alikes: no 0/O, 1/I/L, so a code read aloud or copied by hand is typed right. */
export const CODE_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A uniformly random code from a cryptographic source. */
export function generateReferralCode(length: number, pick: (max: number) => number = randomInt): string {
  let code = '';
  for (let i = 0; i < length; i++) code += CODE_ALPHABET[pick(CODE_ALPHABET.length)];
  return code;
}

/** A code as a person may type it (spaces, lower case) in its stored form, or null when it cannot be one. */
export function normalizeReferralCode(input: string, length: number): string | null {
  const code = input.replace(/[\s-]/g, '').toUpperCase();
  if (code.length !== length) return null;
  for (const ch of code) if (!CODE_ALPHABET.includes(ch)) return null;
  return code;
}

/** Shows a username to someone else: "alice" → "al***ce", "bob" → "b***". */
export function maskUsername(username: string): string {
  const chars = [...username];
  if (chars.length <= 4) return `${chars[0] ?? ''}***`;
  return `${chars.slice(0, 2).join('')}***${chars.slice(-2).join('')}`;
}
