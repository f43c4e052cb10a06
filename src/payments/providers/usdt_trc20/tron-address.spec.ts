import { createHash } from 'node:crypto';
import bs58check from 'bs58check';
import { isTronAddress, tronAddressProblem } from './tron-address';

/** A valid address built here from 20 arbitrary bytes, so the test does not rely only on a copied constant. */
const derived = bs58check.encode(Buffer.concat([Buffer.from([0x41]), createHash('sha256').update('recharge').digest().subarray(0, 20)]));
const zeroAccount = bs58check.encode(Buffer.concat([Buffer.from([0x41]), Buffer.alloc(20)]));
const USDT_CONTRACT = 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t';
/** Checksum and length are right, and it starts with T, but the version byte is 0x42: only the decoded prefix gives it away. */
const wrongVersion = bs58check.encode(Buffer.concat([Buffer.from([0x42]), Buffer.alloc(20)]));

/** Replaces the character at `index` with a different base58 character. */
function changeAt(address: string, index: number): string {
  const replacement = address[index] === 'A' ? 'B' : 'A';
  return address.slice(0, index) + replacement + address.slice(index + 1);
}

const NOT_TRON = 'is not a TRON mainnet address (must start with T and decode to 21 bytes with prefix 0x41)';

describe('TRON address', () => {
  it('loads the CommonJS build of bs58check', () => {
    expect(require.resolve('bs58check')).toMatch(/index\.cjs$/);
    const loaded = require('bs58check') as { default: typeof bs58check };
    expect(typeof loaded.default.decodeUnsafe).toBe('function');
  });

  it('derives addresses of the expected form', () => {
    expect(derived).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/);
    expect(zeroAccount).toBe('T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb');
    expect(wrongVersion).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/);
  });

  it.each([
    ['the USDT contract', USDT_CONTRACT],
    ['an address derived from 20 bytes', derived],
    ['the all-zero account', zeroAccount],
  ])('accepts %s', (_label, address) => {
    expect(tronAddressProblem(address)).toBeNull();
    expect(isTronAddress(address)).toBe(true);
  });

  it.each([
    ['one character changed (last)', changeAt(USDT_CONTRACT, 33), 'has a bad checksum'],
    ['one character changed (middle)', changeAt(derived, 17), 'has a bad checksum'],
    ['one character short', USDT_CONTRACT.slice(0, 33), NOT_TRON],
    ['one character too many', USDT_CONTRACT + 'A', NOT_TRON],
    ['a Bitcoin address', '1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2', NOT_TRON],
    ['a valid base58check payload of the wrong version, starting with T', wrongVersion, NOT_TRON],
    ['a 0 (zero)', 'T0' + USDT_CONTRACT.slice(2), 'is not base58'],
    ['an O', 'TO' + USDT_CONTRACT.slice(2), 'is not base58'],
    ['an I', 'TI' + USDT_CONTRACT.slice(2), 'is not base58'],
    ['an l', 'Tl' + USDT_CONTRACT.slice(2), 'is not base58'],
    ['spaces around it', ` ${USDT_CONTRACT} `, 'is not base58'],
    ['the hex form', '41a614f803b6fd780986a42c78ec9c7f77e6ded13c', 'is not base58'],
    ['the empty string', '', 'is not base58'],
  ])('rejects %s', (_label, address, problem) => {
    expect(tronAddressProblem(address)).toBe(problem);
    expect(isTronAddress(address)).toBe(false);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [undefined, null, 42, {}, 'T'.repeat(10_000)] as unknown as string[]) {
      expect(() => tronAddressProblem(input)).not.toThrow();
      expect(isTronAddress(input)).toBe(false);
    }
  });
});
