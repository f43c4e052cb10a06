import { generateRedeemCode, hashRedeemCode, normalizeRedeemCode, REDEEM_CODE_ALPHABET } from './redeem-code';

describe('redeem codes', () => {
  it('are four groups of four characters from the look-alike-free alphabet', () => {
    for (let i = 0; i < 200; i++) {
      const code = generateRedeemCode();
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){3}$/);
    }
    for (const lookAlike of ['0', 'O', '1', 'I', 'L']) expect(REDEEM_CODE_ALPHABET).not.toContain(lookAlike);
  });

  it('use every character of the alphabet, none far more often than the others', () => {
    const seen = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const char of generateRedeemCode().replace(/-/g, '')) seen.set(char, (seen.get(char) ?? 0) + 1);
    expect(seen.size).toBe(REDEEM_CODE_ALPHABET.length);
    // 32,000 draws over 31 characters: about 1,032 each.
    for (const count of seen.values()) expect(count).toBeGreaterThan(850);
  });

  it('read what people type: any case, dashes or spaces, the same hash', () => {
    const code = 'ABCD-EFGH-JKMN-PQRS';
    expect(normalizeRedeemCode(code)).toBe('ABCDEFGHJKMNPQRS');
    expect(normalizeRedeemCode(' abcd efgh jkmn pqrs ')).toBe('ABCDEFGHJKMNPQRS');
    expect(normalizeRedeemCode('abcdefghjkmnpqrs')).toBe('ABCDEFGHJKMNPQRS');
    expect(hashRedeemCode(normalizeRedeemCode(code)!)).toBe(hashRedeemCode(normalizeRedeemCode('abcdefghjkmnpqrs')!));
    expect(hashRedeemCode('ABCDEFGHJKMNPQRS')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuse what cannot be a code', () => {
    expect(normalizeRedeemCode('ABCD-EFGH-JKMN-PQR')).toBeNull();
    expect(normalizeRedeemCode('ABCD-EFGH-JKMN-PQRST')).toBeNull();
    expect(normalizeRedeemCode('ABCD-EFGH-JKMN-PQR0')).toBeNull();
    expect(normalizeRedeemCode("ABCD-EFGH-JKMN-PQ';")).toBeNull();
  });
});
