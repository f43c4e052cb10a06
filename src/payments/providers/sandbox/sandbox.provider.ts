import { randomBytes } from 'node:crypto';
import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../common/config/app-config';
import {
  AcceptedRefund,
  ClosedPayment,
  GatewayOrderState,
  PaymentProvider,
  PaymentRequest,
  REFUNDED,
  StartedPayment,
  WebhookEvent,
  WebhookRequest,
} from '../../payment-provider';
import { epaySigned } from '../epay/epay-signature';
import { EpayProtocol } from '../epay/epay-protocol';
import { SandboxSettings } from './sandbox.settings';

export const SANDBOX_PID = 'sandbox';

/**
 * The embedded default gateway, used when no real gateway is configured: its checkout page is served by
 * this app, and its Pay button makes the app send itself the notify an epay
 * gateway would send, signed with the sandbox key, over HTTP, through the same
 * webhook code. Off in production unless SANDBOX_ENABLED=true.
 */
@Injectable()
export class SandboxProvider extends PaymentProvider implements OnApplicationBootstrap {
  readonly name = 'sandbox';
  readonly labels = { zh: '沙盒（测试，不扣款）', en: 'Sandbox (test, no money moves)' };
  readonly methods = ['alipay', 'wxpay', 'card'] as const;
  readonly display = 'redirect' as const;
  readonly enabled: boolean;
  readonly refundsByApi = true;
  /** A random key per process when none is configured: only this process signs and checks it. */
  private readonly key: string;
  private readonly protocol: EpayProtocol;
  private readonly baseUrl: string;
  private readonly settings: SandboxSettings;

  constructor(private readonly config: AppConfig) {
    super();
    this.settings = config.section(SandboxSettings);
    this.enabled = this.settings.enabled === true;
    this.key = this.settings.key || randomBytes(24).toString('hex');
    this.baseUrl = config.app.publicBaseUrl.replace(/\/$/, '');
    this.protocol = new EpayProtocol({
      gateway: this.name,
      pid: SANDBOX_PID,
      key: this.key,
      apiUrl: this.baseUrl,
      notifyUrl: `${this.baseUrl}/api/payment/webhook/${this.name}`,
      returnUrl: `${this.baseUrl}/payment/result`,
    });
  }

  /** On beside a real gateway or in production only when asked for: said at every start, since anyone can pay with it. */
  onApplicationBootstrap(): void {
    if (this.enabled && (this.config.isProduction || this.settings.besideRealGateway)) {
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

  /** Like the epay gateways whose protocol it speaks: its checkout page still takes a payment for a cancelled order. */
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

  async refund(): Promise<AcceptedRefund> {
    return REFUNDED;
  }

  /** The notify an epay gateway would send for a successful payment of this order, signed with the sandbox key. */
  paidNotify(order: { orderNo: string; amountCny: string; method: string | null }): Record<string, string> {
    const fields: Record<string, string> = {
      pid: SANDBOX_PID,
      trade_no: `SANDBOX${Date.now()}${randomBytes(4).toString('hex').toUpperCase()}`,
      out_trade_no: order.orderNo,
      type: order.method ?? 'alipay',
      name: `Recharge ${order.amountCny} CNY`,
      money: order.amountCny,
      trade_status: 'TRADE_SUCCESS',
      param: order.orderNo,
    };
    return epaySigned(fields, this.key);
  }
}
