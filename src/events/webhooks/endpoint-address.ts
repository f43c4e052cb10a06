import { LookupAddress, lookup } from 'node:dns';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why an address may not receive webhooks (SSRF): anything but a public
 * unicast address (loopback, private, link-local such as cloud metadata
 * services, carrier-grade NAT, multicast, reserved). Null when it may.
 */
export function privateAddressReason(address: string): string | null {
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? null : `${parsed.toString()} is a ${range} address`;
}

/** Why an endpoint URL is refused, for clients that word it themselves. */
export type UrlRefusal = 'not_a_url' | 'scheme' | 'credentials' | 'https_required' | 'private_address';

export interface UrlProblem {
  reason: UrlRefusal;
  message: string;
}

/**
 * What is wrong with an endpoint URL, or null: http(s) only; https in
 * production (plain http only to a loopback address, for a local receiver
 * while developing); no credentials in it; and, unless private targets are
 * allowed, not a private address or a name for one that is obviously local.
 * Names are checked again when each delivery resolves them.
 */
export function endpointUrlProblem(url: string, rules: { isProduction: boolean; allowPrivate: boolean }): UrlProblem | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { reason: 'not_a_url', message: 'is not a URL' };
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return { reason: 'scheme', message: 'must be http or https' };
  if (parsed.username || parsed.password) {
    return { reason: 'credentials', message: 'must not carry credentials (the signature authenticates deliveries)' };
  }
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || (isIP(host) !== 0 && ipaddr.process(host).range() === 'loopback');
  if (rules.isProduction && parsed.protocol !== 'https:' && !(loopback && rules.allowPrivate)) {
    return { reason: 'https_required', message: 'must be https in production' };
  }
  if (rules.allowPrivate) return null;
  const privateTarget = (what: string) => ({ reason: 'private_address' as const, message: `${what} (WEBHOOKS_ALLOW_PRIVATE=true allows it)` });
  if (host === 'localhost' || host.endsWith('.localhost')) return privateTarget(`${host} is a loopback name`);
  if (isIP(host) !== 0) {
    const reason = privateAddressReason(host);
    if (reason) return privateTarget(reason);
  }
  return null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for node:http that refuses names resolving to non-public
 * addresses, checked on the addresses actually connected to (a name that
 * resolved to a public address when registered and to a private one now
 * is refused now).
 */
export function publicOnlyLookup(hostname: string, options: { all?: boolean; family?: number }, callback: LookupCallback): void {
  lookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, options.all ? [] : '');
    const refused = addresses.map((a) => privateAddressReason(a.address)).find((reason) => reason !== null);
    if (refused || addresses.length === 0) {
      const failure: NodeJS.ErrnoException = new Error(`${hostname} resolves to a non-public address: ${refused ?? 'none'}`);
      failure.code = 'EPRIVATEADDRESS';
      return callback(failure, options.all ? [] : '');
    }
    if (options.all) return callback(null, addresses);
    callback(null, addresses[0].address, addresses[0].family);
  });
}
