import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../common/config/app-config';
import {
  AcceptedRefund,
  ClosedPayment,
  GatewayError,
  GatewayOrderState,
  OrderRef,
  PaymentProvider,
  PaymentRequest,
  REFUNDED,
  RefundAttempt,
  StartedPayment,
  WebhookEvent,
  WebhookRequest,
} from '../../payment-provider';
import { EpayProtocol } from '../epay/epay-protocol';
import { ZpaySettings } from './zpay.settings';

/** Alipay and WeChat Pay through the Zpay aggregator. */
@Injectable()
export class ZpayProvider extends PaymentProvider {
  readonly name = 'zpay';
  readonly labels = { zh: '支付宝 / 微信支付', en: 'Alipay / WeChat Pay' };
  readonly methods = ['alipay', 'wxpay'] as const;
  readonly display = 'redirect' as const;
  override readonly offersQrCode = true;
  readonly enabled: boolean;
  readonly configured: boolean;
  readonly refundsByApi: boolean;
  private readonly protocol: EpayProtocol;

  constructor(config: AppConfig) {
    super();
    const zpay = config.section(ZpaySettings);
    const base = config.app.publicBaseUrl.replace(/\/$/, '');
    this.enabled = zpay.enabled;
    this.configured = zpay.pid !== '' && zpay.key !== '' && zpay.apiUrl !== '';
    this.refundsByApi = zpay.refundEnabled;
    this.protocol = new EpayProtocol({
      gateway: this.name,
      pid: zpay.pid,
      key: zpay.key,
      apiUrl: zpay.apiUrl.replace(/\/$/, ''),
      notifyUrl: `${base}/api/payment/webhook/${this.name}`,
      returnUrl: `${base}/payment/result`,
    });
  }

  /** Page pay is a signed link, made here; a QR code (API pay) must be asked for. */
  localPayment(request: PaymentRequest): StartedPayment | null {
    return request.display === 'qrcode' ? null : { paymentUrl: this.protocol.pageUrl(request) };
  }

  async createPayment(request: PaymentRequest): Promise<StartedPayment> {
    return this.localPayment(request) ?? this.protocol.apiPay(request);
  }

  /** Zpay has no call that closes a payment: a late payment still arrives and is credited. */
  async closePayment(): Promise<ClosedPayment> {
    return { status: 'not_supported' };
  }

  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    return this.protocol.parseNotify(request);
  }

  queryOrder(order: OrderRef): Promise<GatewayOrderState> {
    return this.protocol.queryOrder(order.orderNo);
  }

  /**
   * Zpay's refund takes no idempotency key. When an earlier call's outcome
   * is unknown, the order is asked about first: one Zpay no longer reports
   * paid was refunded; otherwise the refund is sent again, and a refusal then
   * is not taken as final (it may mean "already refunded"), so the refund
   * stays under way for an admin to look at.
   */
  async refund(order: OrderRef, amountCny: string, attempt: RefundAttempt): Promise<AcceptedRefund> {
    if (!attempt.retry) {
      await this.protocol.refund(order.orderNo, amountCny);
      return REFUNDED;
    }
    const state = await this.protocol.queryOrder(order.orderNo);
    if (state.status === 'pending') return REFUNDED;
    if (state.status !== 'paid') throw new GatewayError(`zpay: the order's state is unknown (${state.raw})`);
    try {
      await this.protocol.refund(order.orderNo, amountCny);
    } catch (error) {
      throw new GatewayError((error as Error).message);
    }
    return REFUNDED;
  }
}
