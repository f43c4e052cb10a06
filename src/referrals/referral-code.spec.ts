import { CODE_ALPHABET, generateReferralCode, maskUsername, normalizeReferralCode } from './referral-code';

describe('referral codes', () => {
  it('has no look-alike characters in the alphabet', () => {
    for (const ch of '01OIL') expect(CODE_ALPHABET).not.toContain(ch);
    expect(new Set(CODE_ALPHABET).size).toBe(CODE_ALPHABET.length);
  });

  it('generates codes of the configured length from the alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateReferralCode(8);
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);
    }
    expect(generateReferralCode(12)).toHaveLength(12);
  });

  it('maps each random draw onto the alphabet', () => {
    const draws = [0, 30, 1, 29];
    expect(generateReferralCode(4, () => draws.shift()!)).toBe('2Z3Y');
  });

  it('uses every character over many draws (no modulo bias toward a subset)', () => {
    const seen = new Set(Array.from({ length: 300 }, () => generateReferralCode(8)).join(''));
    expect(seen.size).toBe(CODE_ALPHABET.length);
  });

  it.each([
    ['k7qx2m9p', 'K7QX2M9P'],
    [' K7QX-2M9P ', 'K7QX2M9P'],
    ['K7QX2M9', null],
    ['K7QX2M9PP', null],
    ['K7QX2M0P', null],
    ['K7QX2MIP', null],
    ['', null],
  ])('normalizes %j to %j', (input, expected) => {
    expect(normalizeReferralCode(input, 8)).toBe(expected);
  });

  it.each([
    ['alice', 'al***ce'],
    ['alexander', 'al***er'],
    ['bob', 'b***'],
    ['abcd', 'a***'],
    ['张三丰大侠', '张三***大侠'],
    ['x', 'x***'],
  ])('masks %s as %s', (name, masked) => {
    expect(maskUsername(name)).toBe(masked);
  });
});
