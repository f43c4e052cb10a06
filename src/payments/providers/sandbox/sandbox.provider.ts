import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../common/config/app-config';
import { PaymentMethod, ProviderName } from '../../payment-order.entity';
import {
  ClosedPayment,
  GatewayOrderState,
  PaymentProvider,
  PaymentRequest,
  StartedPayment,
  WebhookEvent,
  WebhookRequest,
} from '../../payment-provider';
import { zpaySigned } from '../zpay/zpay-signature';
import { ZpayProtocol } from '../zpay/zpay-protocol';

export const SANDBOX_PID = 'sandbox';

/**
 * The embedded default gateway, used when no real gateway is configured: its checkout page is served by
 * this app, and its Pay button makes the app send itself the notify Zpay
 * would send, signed with the sandbox key, over HTTP, through the same
 * webhook code. Off in production unless SANDBOX_ENABLED=true.
 */
@Injectable()
export class SandboxProvider extends PaymentProvider implements OnApplicationBootstrap {
  readonly name = ProviderName.Sandbox;
  readonly methods = [PaymentMethod.Alipay, PaymentMethod.Wxpay, PaymentMethod.Card] as const;
  readonly enabled: boolean;
  readonly refundsByApi = true;
  /** A random key per process when none is configured: only this process signs and checks it. */
  private readonly key: string;
  private readonly protocol: ZpayProtocol;
  private readonly baseUrl: string;

  constructor(private readonly config: AppConfig) {
    super();
    this.enabled = config.payment.sandbox.enabled === true;
    this.key = config.payment.sandbox.key || randomBytes(24).toString('hex');
    this.baseUrl = config.app.publicBaseUrl.replace(/\/$/, '');
    this.protocol = new ZpayProtocol({
      gateway: ProviderName.Sandbox,
      pid: SANDBOX_PID,
      key: this.key,
      apiUrl: this.baseUrl,
      notifyUrl: `${this.baseUrl}/api/payment/webhook/sandbox`,
      returnUrl: `${this.baseUrl}/payment/result`,
    });
  }

  /** On beside a real gateway or in production only when asked for: said at every start, since anyone can pay with it. */
  onApplicationBootstrap(): void {
    const { zpay, stripe } = this.config.payment;
    if (this.enabled && (this.config.isProduction || zpay.enabled || stripe.enabled)) {
      new Logger(SandboxProvider.name).warn(
        'the sandbox gateway is on (SANDBOX_ENABLED=true) beside real gateways or in production: anyone can create a sandbox order and "pay" it',
      );
    }
  }

  /** Its key may be random per process: only while it is on can this process verify its notifies. */
  get configured(): boolean {
    return this.enabled;
  }

  localPayment(request: PaymentRequest): StartedPayment {
    return { paymentUrl: `${this.baseUrl}/api/payment/sandbox/checkout/${encodeURIComponent(request.orderNo)}` };
  }

  async createPayment(request: PaymentRequest): Promise<StartedPayment> {
    return this.localPayment(request);
  }

  /** Like Zpay, whose protocol it imitates: its checkout page still takes a payment for a cancelled order. */
  async closePayment(): Promise<ClosedPayment> {
    return { status: 'not_supported' };
  }

  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    return this.protocol.parseNotify(request);
  }

  /** The sandbox keeps no state of its own: a payment it never notified is still pending. */
  async queryOrder(): Promise<GatewayOrderState> {
    return { status: 'pending', raw: '{"sandbox":true}' };
  }

  async refund(): Promise<void> {}

  /** The notify Zpay would send for a successful payment of this order, signed with the sandbox key. */
  paidNotify(order: { orderNo: string; amountCny: string; method: string | null }): Record<string, string> {
    const fields: Record<string, string> = {
      pid: SANDBOX_PID,
      trade_no: `SANDBOX${Date.now()}${randomBytes(4).toString('hex').toUpperCase()}`,
      out_trade_no: order.orderNo,
      type: order.method ?? PaymentMethod.Alipay,
      name: `Recharge ${order.amountCny} CNY`,
      money: order.amountCny,
      trade_status: 'TRADE_SUCCESS',
      param: order.orderNo,
    };
    return zpaySigned(fields, this.key);
  }
}
