/** How the payer pays: leaves for a page, scans a QR code, or sends an exact amount to an address. */
export type PaymentDisplay = 'redirect' | 'qrcode' | 'address';

/** A gateway's name for people, per language of the web app. */
export interface GatewayLabels {
  zh: string;
  en: string;
}

/** What a gateway needs to start a payment. Amounts are decimal strings in CNY. */
export interface PaymentRequest {
  orderNo: string;
  amountCny: string;
  method: string;
  /** Text the payer sees ("Recharge ¥20.00"). */
  subject: string;
  clientIp: string | null;
  /** 'qrcode' asks for content to render as a QR code instead of a page to redirect to, where the gateway offers it. */
  display: 'redirect' | 'qrcode';
  expireAt: Date;
}

/** What the payer is asked to pay in the gateway's own currency, when that is not the order's CNY. */
export interface PayInstruction {
  /** Upper-case currency code ('USDT'). */
  currency: string;
  /** The exact amount the payer must send, a decimal string. */
  amount: string;
  /** CNY per unit of `currency`, fixed now and stored with the order. */
  rate: string;
  /** Where to send it, for gateways paid by a transfer to an address. */
  address: string | null;
}

export interface StartedPayment {
  /** Where to send the payer, or the QR code content. */
  paymentUrl: string;
  /** The gateway's id for this payment, when it gives one now. */
  tradeNo?: string;
  /** Absent: the payer pays the order's amount in CNY. */
  pay?: PayInstruction;
}

/** An order as a gateway adapter needs to see it after creation. */
export interface OrderRef {
  orderNo: string;
  tradeNo: string | null;
  amountCny: string;
}

/** The raw HTTP request of a callback, untouched, for signature checks. */
export interface WebhookRequest {
  /** GET query or POST form fields, as received. */
  fields: Record<string, string>;
  /** The exact bytes of the body (some gateways sign them, not the parsed fields). */
  rawBody: Buffer | undefined;
  headers: Record<string, string | string[] | undefined>;
}

/** What a verified callback says. */
export type WebhookEvent =
  | {
      kind: 'paid';
      eventId: string;
      orderNo: string;
      tradeNo: string | null;
      /** The paid amount as the gateway stated it, in `currency`. */
      amount: string;
      /** The currency the gateway charged in ('cny', 'usdt'); compared with the order's pay currency. */
      currency: string;
      /** The callback as received, kept on the order for admins. */
      raw: string;
    }
  | { kind: 'failed' | 'expired'; eventId: string; orderNo: string; raw: string }
  | {
      /** A refund made at the gateway (in its dashboard, or the confirmation of one started here). */
      kind: 'refunded';
      eventId: string;
      orderNo: string;
      /** The whole payment was given back; a partial refund is only recorded for admins. */
      full: boolean;
      raw: string;
    }
  | {
      /**
       * News about one refund the gateway holds (a refund event): it settled, is still under way, or
       * failed, possibly long after it was first confirmed.
       */
      kind: 'refund_update';
      eventId: string;
      /** The gateway's id of the refund. */
      gatewayRefundId: string;
      /** The order it refunds, when the gateway names it (null: matched by the refund id alone). */
      orderNo: string | null;
      state: GatewayRefundState;
      raw: string;
    }
  /** Money arrived that belongs to no order this gateway can name: recorded for admins, never credited by guess. */
  | { kind: 'unmatched'; eventId: string; reason: string; raw: string }
  | { kind: 'ignored'; eventId: string; reason: string };

/** The gateway's view of an order, for reconciliation. */
export type GatewayOrderState =
  | { status: 'paid'; tradeNo: string | null; amount: string; currency: string; raw: string }
  | { status: 'pending' | 'failed' | 'expired' | 'unknown'; raw: string };

/**
 * Where a refund stands at the gateway: done, still under way (a card refund
 * answered `pending`), or failed (`failed`, `canceled`), with
 * the gateway's own status word and, for a failure, its reason.
 */
export interface GatewayRefundState {
  status: 'succeeded' | 'pending' | 'failed';
  /** The gateway's word for it (pending, requires_action, succeeded, failed, …). */
  gatewayStatus: string;
  /** Why it failed, in the gateway's words (its failure reason), when it did. */
  reason: string | null;
}

/** What a gateway answered to a refund it accepted: done now, or under way (it reports the outcome later). */
export interface AcceptedRefund {
  status: 'succeeded' | 'pending';
  /** The gateway's id of the refund, when it gives one. */
  gatewayRefundId: string | null;
  gatewayStatus: string | null;
}

/** A refund the gateway finished at once, with no id of its own to remember. */
export const REFUNDED: AcceptedRefund = { status: 'succeeded', gatewayRefundId: null, gatewayStatus: null };

/** A callback whose signature, key or shape is wrong: answered 400 and otherwise ignored. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** A gateway that did not answer, or answered with an error: the outcome of the call is unknown. */
export class GatewayError extends Error {
  override name = 'GatewayError';
  /** How long the gateway asked to be left alone (its Retry-After), when it said. */
  readonly retryAfterMs: number | null = null;
}

/** The gateway answered and definitely refused: nothing happened there. */
export class GatewayRefusal extends GatewayError {
  override name = 'GatewayRefusal';
}

/** What closing an unpaid order's payment at the gateway found. */
export type ClosedPayment =
  | { status: 'closed' }
  /** The gateway has no way to close it: a payment can still arrive, and is then credited. */
  | { status: 'not_supported' }
  /** Too late: it was paid. The caller settles it instead. */
  | { status: 'paid'; payment: Extract<GatewayOrderState, { status: 'paid' }> };

/** One gateway call of a refund saga. */
export interface RefundAttempt {
  /** Derived from the order and the refund, so a retried call refunds once where the gateway honours keys. */
  idempotencyKey: string;
  /** An earlier call's outcome is unknown (timeout, 5xx, crash): the adapter checks before asking again. */
  retry: boolean;
}

/** What one poll of a gateway found, and how to remember that it was taken. */
export interface PollResult {
  /** News in the gateway's order, each applied like a callback's (idempotently, by event id and trade number). */
  events: WebhookEvent[];
  /** Called once every event was applied: moves the gateway's cursor past them. Not called after a failure, so they are read again. */
  commit(): Promise<void>;
}

/**
 * The port every payment gateway adapter implements (docs/gateways.md says how to add one). The payment
 * service talks to gateways only through it; adapters live in
 * providers/<name>/ with their configuration and are registered in providers/index.ts.
 */
export abstract class PaymentProvider {
  /** Registered at start in payment_providers; orders keep it. */
  abstract readonly name: string;
  abstract readonly labels: GatewayLabels;
  /** How the payer pays by default. */
  abstract readonly display: PaymentDisplay;
  /** Whether an order created with display 'qrcode' gets QR code content instead of a page. */
  readonly offersQrCode: boolean = false;
  /** Seconds between polls, for a gateway whose payments are found by asking it; null for one that calls back. */
  readonly pollSeconds: number | null = null;
  /** Whether configuration switched this gateway on for new orders. */
  abstract readonly enabled: boolean;
  /**
   * Whether it has the credentials to verify callbacks and query or refund
   * existing orders. A gateway switched off keeps serving its existing
   * orders while this holds.
   */
  abstract readonly configured: boolean;
  /** Whether refunds go through the gateway's API; otherwise an admin records a refund made outside. */
  abstract readonly refundsByApi: boolean;
  abstract readonly methods: readonly string[];

  /**
   * Where to pay, when the adapter computes it without asking the gateway
   * (the order is then stored with it in one transaction); null when the
   * gateway must be asked (createPayment, after the order is stored).
   */
  abstract localPayment(request: PaymentRequest): StartedPayment | null;

  /** Starts a payment at the gateway. Called outside any database transaction. */
  abstract createPayment(request: PaymentRequest): Promise<StartedPayment>;

  /** Closes an unpaid order's payment at the gateway, so it cannot be paid any more where the gateway allows it. */
  abstract closePayment(order: OrderRef): Promise<ClosedPayment>;

  /** Verifies a callback's authenticity first, then reads it. Throws WebhookVerificationError when it is not genuine. */
  abstract parseWebhook(request: WebhookRequest): Promise<WebhookEvent>;

  /** Asks the gateway what became of an order (reconciliation; gateways that are polled are not asked order by order). */
  abstract queryOrder(order: OrderRef): Promise<GatewayOrderState>;

  /** Reads what happened since the last poll; only for gateways with pollSeconds. Throws GatewayError when the gateway cannot be read. */
  poll(): Promise<PollResult> {
    return Promise.reject(new GatewayError(`${this.name}: not a polled gateway`));
  }

  /**
   * Gives the money back at the gateway. Resolves when the gateway accepted
   * it: confirmed (`succeeded`), or under way (`pending`: the gateway reports
   * the outcome later, by its news or queryRefund). Throws GatewayRefusal when
   * it definitely refused; any other error means the outcome is unknown, and
   * the refund is asked again later.
   */
  abstract refund(order: OrderRef, amountCny: string, attempt: RefundAttempt): Promise<AcceptedRefund>;

  /**
   * Asks the gateway where a refund it accepted as under way stands, by the
   * gateway's refund id (the reconcile job's part). Gateways whose refunds
   * are never left under way do not implement it. Throws GatewayError when
   * the gateway cannot tell now.
   */
  queryRefund(gatewayRefundId: string): Promise<GatewayRefundState> {
    return Promise.reject(new GatewayError(`${this.name}: refunds are not queried (${gatewayRefundId})`));
  }
}
