import { PaymentMethod, ProviderName } from './payment-order.entity';

/** What a gateway needs to start a payment. Amounts are decimal strings in CNY. */
export interface PaymentRequest {
  orderNo: string;
  amountCny: string;
  method: PaymentMethod;
  /** Text the payer sees ("Recharge ¥20.00"). */
  subject: string;
  clientIp: string | null;
  /** 'qrcode' asks for content to render as a QR code instead of a page to redirect to, where the gateway offers it. */
  display: 'redirect' | 'qrcode';
  expireAt: Date;
}

export interface StartedPayment {
  /** Where to send the payer, or the QR code content. */
  paymentUrl: string;
  /** The gateway's id for this payment, when it gives one now. */
  tradeNo?: string;
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
  /** The exact bytes of the body (Stripe signs them). */
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
      /** Paid amount in CNY, as the gateway stated it. */
      amountCny: string;
      /** Lower-case ISO currency the gateway charged in. */
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
  | { kind: 'ignored'; eventId: string; reason: string };

/** The gateway's view of an order, for reconciliation. */
export type GatewayOrderState =
  | { status: 'paid'; tradeNo: string | null; amountCny: string; currency: string; raw: string }
  | { status: 'pending' | 'failed' | 'expired' | 'unknown'; raw: string };

/** A callback whose signature, key or shape is wrong: answered 400 and otherwise ignored. */
export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

/** A gateway that did not answer, or answered with an error: the outcome of the call is unknown. */
export class GatewayError extends Error {
  override name = 'GatewayError';
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

/**
 * The port every payment gateway adapter implements (docs/gateways.md says how to add one). The payment
 * service talks to gateways only through it; adapters live in
 * providers/<name>/ with their own module and configuration.
 */
export abstract class PaymentProvider {
  abstract readonly name: ProviderName;
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
  abstract readonly methods: readonly PaymentMethod[];

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

  /** Asks the gateway what became of an order. */
  abstract queryOrder(order: OrderRef): Promise<GatewayOrderState>;

  /**
   * Gives the money back at the gateway. Resolves when the gateway
   * confirmed; throws GatewayRefusal when it definitely refused; any other
   * error means the outcome is unknown, and the refund is asked again later.
   */
  abstract refund(order: OrderRef, amountCny: string, attempt: RefundAttempt): Promise<void>;
}
