import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../common/config/app-config';
import { PaymentMethod, ProviderName } from '../../payment-order.entity';
import {
  GatewayOrderState,
  OrderRef,
  PaymentProvider,
  PaymentRequest,
  StartedPayment,
  WebhookEvent,
  WebhookRequest,
} from '../../payment-provider';
import { ZpayProtocol } from './zpay-protocol';

/** Alipay and WeChat Pay through the Zpay aggregator (SPEC §6.1). */
@Injectable()
export class ZpayProvider extends PaymentProvider {
  readonly name = ProviderName.Zpay;
  readonly methods = [PaymentMethod.Alipay, PaymentMethod.Wxpay] as const;
  readonly enabled: boolean;
  private readonly protocol: ZpayProtocol;

  constructor(config: AppConfig) {
    super();
    const zpay = config.payment.zpay;
    const base = config.app.publicBaseUrl.replace(/\/$/, '');
    this.enabled = zpay.enabled;
    this.protocol = new ZpayProtocol({
      gateway: ProviderName.Zpay,
      pid: zpay.pid,
      key: zpay.key,
      apiUrl: zpay.apiUrl.replace(/\/$/, ''),
      notifyUrl: `${base}/api/payment/webhook/zpay`,
      returnUrl: `${base}/payment/result`,
    });
  }

  async createPayment(request: PaymentRequest): Promise<StartedPayment> {
    if (request.display === 'qrcode') return this.protocol.apiPay(request);
    return { paymentUrl: this.protocol.pageUrl(request) };
  }

  async parseWebhook(request: WebhookRequest): Promise<WebhookEvent> {
    return this.protocol.parseNotify(request);
  }

  queryOrder(order: OrderRef): Promise<GatewayOrderState> {
    return this.protocol.queryOrder(order.orderNo);
  }

  refund(order: OrderRef, amountCny: string): Promise<void> {
    return this.protocol.refund(order.orderNo, amountCny);
  }
}
