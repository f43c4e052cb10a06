import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo } from 'node:net';

/** A span as an OTLP/HTTP JSON export carries it, with its attributes flattened. */
export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, string | number | boolean>;
}

interface OtlpValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

/** An OTLP id: hex in the JSON encoding (base64 in some exporters). */
const hexId = (id: string | undefined) => (id && !/^[0-9a-f]*$/.test(id) ? Buffer.from(id, 'base64').toString('hex') : (id ?? ''));

/**
 * An OpenTelemetry collector stand-in on loopback: takes OTLP/HTTP JSON
 * exports on POST /v1/traces, as a collector would, and keeps their spans.
 */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  exports = 0;
  private server!: Server;

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      void this.read(request).then((body) => {
        if (request.method === 'POST' && request.url === '/v1/traces' && String(request.headers['content-type']).startsWith('application/json')) {
          this.take(JSON.parse(body));
          response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        } else {
          response.writeHead(415).end();
        }
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return this;
  }

  /** Waits until a span matching `match` has arrived. */
  async waitFor(match: (span: ReceivedSpan) => boolean, timeoutMs = 10_000): Promise<ReceivedSpan> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.spans.find(match);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no such span in ${this.spans.length} received: ${this.spans.map((s) => s.name).join(', ')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private read(request: IncomingMessage): Promise<string> {
    return new Promise((resolve) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk)).on('end', () => resolve(body));
    });
  }

  private take(payload: {
    resourceSpans?: { scopeSpans?: { spans?: { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: OtlpValue }[] }[] }[] }[];
  }): void {
    this.exports++;
    for (const resource of payload.resourceSpans ?? []) {
      for (const scope of resource.scopeSpans ?? []) {
        for (const span of scope.spans ?? []) {
          const attributes: ReceivedSpan['attributes'] = {};
          for (const { key, value } of span.attributes ?? []) {
            attributes[key] = value.stringValue ?? (value.intValue !== undefined ? Number(value.intValue) : (value.doubleValue ?? value.boolValue ?? ''));
          }
          this.spans.push({ traceId: hexId(span.traceId), spanId: hexId(span.spanId), parentSpanId: hexId(span.parentSpanId), name: span.name, kind: span.kind, attributes });
        }
      }
    }
  }
}
