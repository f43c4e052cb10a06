import { AddressInfo } from 'node:net';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { ENVELOPE_SCHEMA, EVENT_CATALOG, EventEnvelope } from '../../src/events/event-catalog';
import { verifySignature } from '../../src/events/webhooks/webhook-signature';

/** One POST an integrator's endpoint received. */
export interface ReceivedDelivery {
  body: string;
  event: EventEnvelope;
  signature: string;
  eventId: string;
  /** Whether the signature verified with the secret the receiver was given. */
  verified: boolean;
  /** The W3C trace context the delivery carried, when the sender traces. */
  traceparent?: string;
  answeredWith: number;
}

/** The status an endpoint answers to the `nth` delivery (1, 2, …) of an event. */
export type Responder = (event: EventEnvelope, nth: number) => number;

/**
 * An integrator's webhook endpoint on loopback: it verifies each delivery's
 * signature as an integrator would, and answers what `respond` says (200
 * unless told otherwise). The test database is shared by the test files run
 * at once, so a receiver can get other files' events: tests look at their
 * own users' events.
 */
export class EventReceiver {
  readonly received: ReceivedDelivery[] = [];
  private server: Server | null = null;
  secret = '';
  respond: Responder = () => 200;

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/hooks`;
  }

  /** Deliveries of one user's events, in the order they came. */
  of(userId: string): ReceivedDelivery[] {
    return this.received.filter((d) => d.event.userId === userId);
  }

  async waitFor(predicate: (received: ReceivedDelivery[]) => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.received)) {
      if (Date.now() > deadline) throw new Error(`the receiver got ${this.received.length} deliveries, not what the test waits for`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const signature = String(req.headers['recharge-signature'] ?? '');
    const event = JSON.parse(body) as EventEnvelope;
    const status = this.respond(event, this.received.filter((d) => d.event.id === event.id).length + 1);
    this.received.push({
      body,
      event,
      signature,
      eventId: String(req.headers['recharge-event-id'] ?? ''),
      verified: verifySignature(this.secret, body, signature),
      traceparent: typeof req.headers.traceparent === 'string' ? req.headers.traceparent : undefined,
      answeredWith: status,
    });
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
  }
}

/** Checks an event against the published schemas: the envelope, and its type's data. Answers the problems (none: []). */
export function schemaProblems(event: unknown): string[] {
  const type = (event as { type?: string }).type;
  const definition = EVENT_CATALOG.find((e) => e.type === type);
  if (!definition) return [`unknown type ${type}`];
  const validate = validators.get(type!) ?? compile(type!, { ...ENVELOPE_SCHEMA, properties: { ...(ENVELOPE_SCHEMA.properties as object), data: definition.data } });
  return validate(event) ? [] : (validate.errors ?? []).map((e) => `${type} ${e.instancePath} ${e.message}`);
}

const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const validators = new Map<string, ReturnType<typeof ajv.compile>>();
function compile(type: string, schema: object) {
  const validate = ajv.compile(schema);
  validators.set(type, validate);
  return validate;
}
