import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { privateAddressReason, publicOnlyLookup } from './endpoint-address';
import { isIP } from 'node:net';

/** How one attempt ended: a 2xx is delivered; anything else is tried again later. */
export interface AttemptResult {
  delivered: boolean;
  /** The endpoint's HTTP status, or null when none came (timeout, refused, DNS). */
  statusCode: number | null;
  /** Why it failed, for the admin's list (never the endpoint's answer body). */
  error: string | null;
}

/** At most this much of an answer is read (and then dropped): the status is all that counts. */
const MAX_ANSWER_BYTES = 64 * 1024;

/**
 * POSTs one delivery. Redirects are not followed (a 3xx is a failure: an
 * endpoint that moved is edited by an admin, and a redirect must not carry a
 * signed event, or the request, to another host). Unless private targets
 * are allowed, names are resolved through publicOnlyLookup and literal
 * addresses checked, so no delivery reaches the internal network.
 */
export class WebhookSender {
  private readonly httpAgent: HttpAgent;
  private readonly httpsAgent: HttpsAgent;

  constructor(
    private readonly timeoutMs: number,
    private readonly allowPrivate: boolean,
  ) {
    this.httpAgent = new HttpAgent({ keepAlive: true, maxSockets: 16 });
    this.httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: 16 });
  }

  send(url: string, body: string, headers: Record<string, string>): Promise<AttemptResult> {
    const target = new URL(url);
    const host = target.hostname.replace(/^\[|\]$/g, '');
    if (!this.allowPrivate && isIP(host) !== 0) {
      const reason = privateAddressReason(host);
      if (reason) return Promise.resolve({ delivered: false, statusCode: null, error: `refused: ${reason}` });
    }
    const isHttps = target.protocol === 'https:';
    const request = isHttps ? httpsRequest : httpRequest;
    return new Promise((resolve) => {
      let settled = false;
      const finish = (result: AttemptResult) => {
        if (settled) return;
        settled = true;
        resolve(result);
      };
      const req = request(
        target,
        {
          method: 'POST',
          agent: isHttps ? this.httpsAgent : this.httpAgent,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Recharge-Webhooks/1', ...headers },
          lookup: this.allowPrivate ? undefined : (publicOnlyLookup as never),
          signal: AbortSignal.timeout(this.timeoutMs),
        },
        (res) => {
          const statusCode = res.statusCode ?? 0;
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_ANSWER_BYTES) res.destroy();
          });
          const done = () =>
            finish({ delivered: statusCode >= 200 && statusCode < 300, statusCode, error: statusCode >= 200 && statusCode < 300 ? null : `answered ${statusCode}` });
          res.on('end', done);
          res.on('close', done);
          res.on('error', done);
        },
      );
      req.on('error', (error: NodeJS.ErrnoException) => {
        const timedOut = error.name === 'AbortError' || error.name === 'TimeoutError';
        finish({ delivered: false, statusCode: null, error: timedOut ? `no answer within ${this.timeoutMs / 1000} s` : describeError(error) });
      });
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

function describeError(error: NodeJS.ErrnoException): string {
  return (error.code ? `${error.code}: ${error.message}` : error.message).slice(0, 300);
}
