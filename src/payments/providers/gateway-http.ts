import { GatewayError } from '../payment-provider';

const TIMEOUT_MS = 10_000;

/**
 * Calls a gateway and reads its JSON answer. Errors name the gateway and the
 * failure, never the URL or the body: some gateways put the merchant key in
 * the query string.
 */
export async function fetchGatewayJson<T>(gateway: string, url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    const reason = (error as Error).name === 'TimeoutError' ? `no answer in ${TIMEOUT_MS / 1000} s` : 'unreachable';
    throw new GatewayError(`${gateway}: ${reason}`);
  }
  const text = await response.text();
  if (!response.ok) throw new GatewayError(`${gateway}: HTTP ${response.status}`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new GatewayError(`${gateway}: the answer is not JSON`);
  }
}

/** A form body, for gateways that take application/x-www-form-urlencoded. */
export function formBody(fields: Record<string, string>): RequestInit {
  return {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  };
}
