import bs58check from 'bs58check';

/** Bitcoin's base58 alphabet: no 0, O, I or l. */
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/;
/** Mainnet addresses are version byte 0x41 + 20-byte account id; base58check makes them 34 characters starting with T. */
const TRON_PREFIX = 0x41;
const TRON_PAYLOAD_BYTES = 21;
const TRON_ADDRESS_LENGTH = 34;

const NOT_TRON = 'is not a TRON mainnet address (must start with T and decode to 21 bytes with prefix 0x41)';

/**
 * Why `address` is not a TRON mainnet base58check address, or null when it is.
 * Checks the shape before decoding so that a long or odd input costs nothing
 * and a typo is reported as a bad checksum rather than a vague failure.
 * Never throws: it judges untrusted input (settings, API fields).
 */
export function tronAddressProblem(address: string): string | null {
  if (typeof address !== 'string' || !BASE58.test(address)) return 'is not base58';
  if (address.length !== TRON_ADDRESS_LENGTH || !address.startsWith('T')) return NOT_TRON;
  const payload = bs58check.decodeUnsafe(address);
  if (!payload) return 'has a bad checksum';
  if (payload.length !== TRON_PAYLOAD_BYTES || payload[0] !== TRON_PREFIX) return NOT_TRON;
  return null;
}

export function isTronAddress(address: string): boolean {
  return tronAddressProblem(address) === null;
}
