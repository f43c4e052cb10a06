import { Money, toCny } from '../../../common/money/money';
import { GatewayOrderState, GatewayError, GatewayRefusal, PaymentRequest, WebhookEvent, WebhookRequest, WebhookVerificationError } from '../../payment-provider';
import { fetchGatewayJson, formBody } from '../gateway-http';
import { zpaySigned, zpayVerify } from './zpay-signature';

export interface ZpayCredentials {
  /** Gateway name for logs and errors: 'zpay', or 'sandbox' for the local imitation. */
  gateway: string;
  pid: string;
  key: string;
  apiUrl: string;
  notifyUrl: string;
  returnUrl: string;
}

interface ZpayCreateAnswer {
  code: number | string;
  msg?: string;
  trade_no?: string;
  payurl?: string;
  qrcode?: string;
  urlscheme?: string;
}

interface ZpayOrderAnswer {
  code: number | string;
  msg?: string;
  status?: number | string;
  trade_no?: string;
  money?: string;
}

const NOTIFY_FIELDS = ['pid', 'trade_no', 'out_trade_no', 'type', 'name', 'money', 'trade_status'] as const;

/**
 * The epay protocol Zpay speaks (docs/gateways.md), shared by the Zpay adapter and
 * the sandbox, which imitates Zpay with its own key.
 */
export class ZpayProtocol {
  constructor(private readonly credentials: ZpayCredentials) {}

  /** The fields of a payment, unsigned; notify_url and return_url carry no query string (Zpay drops it). */
  private paymentFields(request: PaymentRequest): Record<string, string> {
    return {
      pid: this.credentials.pid,
      type: request.method,
      out_trade_no: request.orderNo,
      notify_url: this.credentials.notifyUrl,
      return_url: this.credentials.returnUrl,
      name: request.subject,
      money: toCny(request.amountCny),
      param: request.orderNo,
    };
  }

  /** Page pay: the submit.php address to send the payer to. */
  pageUrl(request: PaymentRequest): string {
    return `${this.credentials.apiUrl}/submit.php?${new URLSearchParams(zpaySigned(this.paymentFields(request), this.credentials.key))}`;
  }

  /** API pay (mapi.php): the gateway answers with a QR code or a pay URL. */
  async apiPay(request: PaymentRequest): Promise<{ paymentUrl: string; tradeNo?: string }> {
    const fields = zpaySigned(
      { ...this.paymentFields(request), clientip: request.clientIp ?? '127.0.0.1', device: 'pc' },
      this.credentials.key,
    );
    const answer = await fetchGatewayJson<ZpayCreateAnswer>(
      this.credentials.gateway,
      `${this.credentials.apiUrl}/mapi.php`,
      formBody(fields),
    );
    const paymentUrl = answer.qrcode || answer.payurl || answer.urlscheme;
    if (String(answer.code) !== '1' || !paymentUrl) {
      throw new GatewayError(`${this.credentials.gateway}: refused the payment (${answer.msg ?? 'code ' + answer.code})`);
    }
    return { paymentUrl, tradeNo: answer.trade_no };
  }

  /** Verifies a notify (pid and signature over the exact strings received) and reads it. */
  parseNotify(request: WebhookRequest): WebhookEvent {
    const fields = request.fields;
    for (const name of [...NOTIFY_FIELDS, 'sign'] as const) {
      if (typeof fields[name] !== 'string' || fields[name] === '') {
        throw new WebhookVerificationError(`${this.credentials.gateway} notify: field "${name}" is missing`);
      }
    }
    if (fields.pid !== this.credentials.pid) {
      throw new WebhookVerificationError(`${this.credentials.gateway} notify: pid "${fields.pid}" is not ours`);
    }
    if (!zpayVerify(fields, this.credentials.key)) {
      throw new WebhookVerificationError(`${this.credentials.gateway} notify: bad signature`);
    }
    const eventId = `${fields.trade_no}:${fields.trade_status}`;
    if (fields.trade_status !== 'TRADE_SUCCESS') {
      return { kind: 'ignored', eventId, reason: `trade_status ${fields.trade_status}` };
    }
    if (!/^\d+(\.\d{1,2})?$/.test(fields.money)) {
      throw new WebhookVerificationError(`${this.credentials.gateway} notify: money "${fields.money}" is not an amount`);
    }
    return {
      kind: 'paid',
      eventId,
      orderNo: fields.out_trade_no,
      tradeNo: fields.trade_no,
      amountCny: fields.money,
      currency: 'cny',
      raw: new URLSearchParams(withoutSign(fields)).toString(),
    };
  }

  /** api.php?act=order: status 1 means paid. The key travels in the query, so this runs on the server only. */
  async queryOrder(orderNo: string): Promise<GatewayOrderState> {
    const query = new URLSearchParams({ act: 'order', pid: this.credentials.pid, key: this.credentials.key, out_trade_no: orderNo });
    const answer = await fetchGatewayJson<ZpayOrderAnswer>(this.credentials.gateway, `${this.credentials.apiUrl}/api.php?${query}`);
    const raw = JSON.stringify({ ...answer });
    if (String(answer.code) !== '1') return { status: 'unknown', raw };
    if (String(answer.status) !== '1') return { status: 'pending', raw };
    // As strict as the notify: a yuan amount has at most 2 decimals ("20.000" is 20.00; "19.995" is no order's amount).
    if (!answer.money || !/^\d+(\.\d+)?$/.test(answer.money)) return { status: 'unknown', raw };
    const money = new Money(answer.money);
    if (!money.equals(money.toDecimalPlaces(2))) return { status: 'unknown', raw };
    return { status: 'paid', tradeNo: answer.trade_no ?? null, amountCny: toCny(money), currency: 'cny', raw };
  }

  async refund(orderNo: string, amountCny: string): Promise<void> {
    const answer = await fetchGatewayJson<{ code: number | string; msg?: string }>(
      this.credentials.gateway,
      `${this.credentials.apiUrl}/api.php?act=refund`,
      formBody({ pid: this.credentials.pid, key: this.credentials.key, out_trade_no: orderNo, money: toCny(amountCny) }),
    );
    if (String(answer.code) !== '1') throw new GatewayRefusal(`${this.credentials.gateway}: refund refused (${answer.msg ?? answer.code})`);
  }
}

/** The callback as kept on the order: everything but the signature. */
function withoutSign(fields: Record<string, string>): Record<string, string> {
  const { sign: _sign, ...rest } = fields;
  return rest;
}
