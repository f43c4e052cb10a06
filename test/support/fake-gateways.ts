import { randomBytes } from 'node:crypto';
import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';

async function readBody(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body;
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

export interface FakeSession {
  id: string;
  object: 'checkout.session';
  url: string;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  amount_total: number;
  currency: string;
  client_reference_id: string;
  metadata: Record<string, string>;
  payment_intent: string | null;
  expires_at: number;
}

export type FakeRefundStatus = 'pending' | 'requires_action' | 'succeeded' | 'failed' | 'canceled';

/** A Stripe Refund object, as the API answers it and as refund events carry it in data.object. */
export interface FakeRefund {
  id: string;
  object: 'refund';
  amount: number;
  balance_transaction: string | null;
  charge: string;
  created: number;
  currency: string;
  metadata: Record<string, string>;
  payment_intent: string;
  reason: string | null;
  receipt_number: string | null;
  source_transfer_reversal: string | null;
  status: FakeRefundStatus;
  transfer_reversal: string | null;
  /** Present once it failed: lost_or_stolen_card, expired_or_canceled_card, declined, insufficient_funds, merchant_request, unknown, … */
  failure_reason?: string;
  failure_balance_transaction?: string;
  next_action?: { type: 'display_details'; display_details: { email_sent: { email_sent_at: number; email_sent_to: string }; expires_at: number } } | null;
}

/**
 * A small stand-in for Stripe's API on loopback (STRIPE_API_BASE points
 * stripe-node at it): Checkout Sessions with idempotency keys, retrieval,
 * refunds (created with the status `nextRefundStatus`, replayed for a repeated
 * idempotency key as Stripe replays the first answer, retrieved by id, and
 * moved on later by `settleRefund`).
 */
export class FakeStripe {
  readonly sessions = new Map<string, FakeSession>();
  readonly requests: { method: string; path: string; idempotencyKey?: string; form: URLSearchParams; at: number }[] = [];
  readonly refunds: URLSearchParams[] = [];
  /** When set, session creation answers this error. */
  failCreation: string | null = null;
  /** When set, refund creation answers this error (a 400: Stripe's considered refusal). */
  refuseRefunds: string | null = null;
  /** The status a new refund is created with (Stripe answers `pending` or `requires_action` for some payment methods). */
  nextRefundStatus: FakeRefundStatus = 'succeeded';
  /** Every refund created, by id, as Stripe holds it now. */
  readonly refundObjects = new Map<string, FakeRefund>();
  private readonly refundAnswers = new Map<string, string>();
  url = '';
  private readonly byIdempotencyKey = new Map<string, string>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  markPaid(id: string): FakeSession {
    const session = this.sessions.get(id)!;
    Object.assign(session, { status: 'complete', payment_status: 'paid', payment_intent: `pi_${randomBytes(6).toString('hex')}` });
    return session;
  }

  /**
   * What Stripe does to a refund later: it succeeds, or fails (a card refund
   * can fail days after it succeeded), with the failure_reason Stripe gives.
   * Answers the Refund as it is now, for an event's data.object.
   */
  settleRefund(id: string, status: FakeRefundStatus, failureReason?: string): FakeRefund {
    const refund = this.refundObjects.get(id)!;
    refund.status = status;
    if (status !== 'requires_action') refund.next_action = null;
    if (status === 'failed' || status === 'canceled') {
      refund.failure_reason = failureReason ?? (status === 'canceled' ? 'merchant_request' : 'unknown');
      refund.failure_balance_transaction = `txn_${randomBytes(8).toString('hex')}`;
    }
    return structuredClone(refund);
  }

  /** The refund created for an order (its metadata names the order), as Stripe holds it now. */
  refundOf(orderNo: string): FakeRefund | undefined {
    return [...this.refundObjects.values()].find((r) => r.metadata.order_no === orderNo);
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const path = (req.url ?? '').split('?')[0];
    const form = new URLSearchParams(await readBody(req));
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;
    this.requests.push({ method: req.method!, path, idempotencyKey, form, at: performance.now() });

    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      if (this.failCreation) return json(res, 400, { error: { type: 'invalid_request_error', message: this.failCreation } });
      const existing = idempotencyKey && this.byIdempotencyKey.get(idempotencyKey);
      if (existing) return json(res, 200, this.sessions.get(existing));
      const id = `cs_test_${randomBytes(8).toString('hex')}`;
      const session: FakeSession = {
        id,
        object: 'checkout.session',
        url: `https://checkout.stripe.test/c/pay/${id}`,
        status: 'open',
        payment_status: 'unpaid',
        amount_total: Number(form.get('line_items[0][price_data][unit_amount]')),
        currency: form.get('line_items[0][price_data][currency]')!,
        client_reference_id: form.get('client_reference_id')!,
        metadata: { order_no: form.get('metadata[order_no]')! },
        payment_intent: null,
        expires_at: Number(form.get('expires_at')),
      };
      this.sessions.set(id, session);
      if (idempotencyKey) this.byIdempotencyKey.set(idempotencyKey, id);
      return json(res, 200, session);
    }
    if (req.method === 'GET' && path === '/v1/checkout/sessions') {
      const paymentIntent = new URLSearchParams((req.url ?? '').split('?')[1] ?? '').get('payment_intent');
      const data = [...this.sessions.values()].filter((s) => s.payment_intent === paymentIntent);
      return json(res, 200, { object: 'list', data, has_more: false, url: '/v1/checkout/sessions' });
    }
    const expire = /^\/v1\/checkout\/sessions\/([\w-]+)\/expire$/.exec(path);
    if (req.method === 'POST' && expire) {
      const session = this.sessions.get(expire[1]);
      if (!session) return json(res, 404, { error: { type: 'invalid_request_error', message: 'No such session' } });
      if (session.status !== 'open') {
        return json(res, 400, { error: { type: 'invalid_request_error', message: 'This Checkout Session is not in an expirable state.' } });
      }
      session.status = 'expired';
      return json(res, 200, session);
    }
    const match = /^\/v1\/checkout\/sessions\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      const session = this.sessions.get(match[1]);
      return session ? json(res, 200, session) : json(res, 404, { error: { type: 'invalid_request_error', message: 'No such session' } });
    }
    if (req.method === 'POST' && path === '/v1/refunds') {
      if (this.refuseRefunds) return json(res, 400, { error: { type: 'invalid_request_error', message: this.refuseRefunds } });
      // Stripe answers a repeated idempotency key with the first answer, as it was then.
      const replay = idempotencyKey && this.refundAnswers.get(idempotencyKey);
      if (replay) return res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' }).end(replay);
      this.refunds.push(form);
      const paymentIntent = form.get('payment_intent')!;
      const session = [...this.sessions.values()].find((s) => s.payment_intent === paymentIntent);
      const metadata: Record<string, string> = {};
      for (const [key, value] of form) {
        const name = /^metadata\[(.+)\]$/.exec(key);
        if (name) metadata[name[1]] = value;
      }
      const status = this.nextRefundStatus;
      const refund: FakeRefund = {
        id: `re_${randomBytes(12).toString('hex')}`,
        object: 'refund',
        amount: Number(form.get('amount') ?? session?.amount_total ?? 0),
        balance_transaction: `txn_${randomBytes(8).toString('hex')}`,
        charge: `ch_${paymentIntent.slice(3)}`,
        created: Math.floor(Date.now() / 1000),
        currency: session?.currency ?? 'cny',
        metadata,
        payment_intent: paymentIntent,
        reason: null,
        receipt_number: null,
        source_transfer_reversal: null,
        status,
        transfer_reversal: null,
        next_action:
          status === 'requires_action'
            ? {
                type: 'display_details',
                display_details: {
                  email_sent: { email_sent_at: Math.floor(Date.now() / 1000), email_sent_to: 'payer@example.com' },
                  expires_at: Math.floor(Date.now() / 1000) + 30 * 86400,
                },
              }
            : null,
      };
      this.refundObjects.set(refund.id, refund);
      const answer = JSON.stringify(refund);
      if (idempotencyKey) this.refundAnswers.set(idempotencyKey, answer);
      return res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    }
    const refundPath = /^\/v1\/refunds\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && refundPath) {
      const refund = this.refundObjects.get(refundPath[1]);
      return refund
        ? json(res, 200, refund)
        : json(res, 404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such refund: '${refundPath[1]}'` } });
    }
    return json(res, 404, { error: { type: 'invalid_request_error', message: `unknown route ${req.method} ${path}` } });
  }
}

/** A stand-in for the Zpay API on loopback: mapi.php, and api.php's order query and refund. */
export class FakeZpay {
  /** How many order queries were made for an order. */
  queriesFor(orderNo: string): number {
    return this.calls.filter((c) => c.query.get('act') === 'order' && c.query.get('out_trade_no') === orderNo).length;
  }

  refundsFor(orderNo: string): number {
    return this.calls.filter((c) => c.query.get('act') === 'refund' && c.form.get('out_trade_no') === orderNo).length;
  }

  /** out_trade_no → what api.php?act=order answers. */
  readonly orders = new Map<string, { status: 0 | 1; money: string; trade_no: string }>();
  readonly calls: { path: string; query: URLSearchParams; form: URLSearchParams; at: number }[] = [];
  /**
   * What api.php?act=refund answers: done (and the order reads unpaid from
   * then on), a refusal, or 'lost': the refund is done but the answer never
   * comes (the request hangs until `stop`), as when the network drops it.
   */
  refundAnswer: 'ok' | 'refuse' | 'lost' = 'ok';
  url = '';
  private readonly hanging = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => void this.handle(req, res));

  async start(): Promise<this> {
    this.url = await listen(this.server);
    return this;
  }

  stop(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Marks an order paid at the gateway, as its order query will then answer. */
  pay(orderNo: string, money: string, tradeNo: string): void {
    this.orders.set(orderNo, { status: 1, money, trade_no: tradeNo });
  }

  private async handle(req: IncomingMessage, res: ServerResponse) {
    const [path, search] = (req.url ?? '').split('?');
    const query = new URLSearchParams(search ?? '');
    const form = new URLSearchParams(await readBody(req));
    this.calls.push({ path, query, form, at: performance.now() });
    if (path === '/mapi.php') {
      return json(res, 200, { code: 1, msg: 'ok', trade_no: `Z${Date.now()}`, qrcode: `weixin://wxpay/bizpayurl?pr=${form.get('out_trade_no')}` });
    }
    if (path === '/api.php' && query.get('act') === 'order') {
      const order = this.orders.get(query.get('out_trade_no') ?? '');
      if (!order) return json(res, 200, { code: -1, msg: 'order not found' });
      return json(res, 200, { code: 1, msg: 'ok', out_trade_no: query.get('out_trade_no'), ...order });
    }
    if (path === '/api.php' && query.get('act') === 'refund') {
      if (this.refundAnswer === 'refuse') return json(res, 200, { code: -1, msg: 'insufficient merchant balance' });
      const order = this.orders.get(form.get('out_trade_no') ?? '');
      if (order) order.status = 0;
      if (this.refundAnswer === 'lost') {
        this.hanging.add(res);
        return;
      }
      return json(res, 200, { code: 1, msg: 'refunded' });
    }
    return json(res, 404, { code: -1, msg: 'unknown' });
  }
}
