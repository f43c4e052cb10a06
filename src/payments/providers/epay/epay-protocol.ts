import { Money, toCny } from '../../../common/money/money';
import { GatewayOrderState, GatewayError, GatewayRefusal, PaymentRequest, WebhookEvent, WebhookRequest, WebhookVerificationError } from '../../payment-provider';
import type { GatewayWebhook, WebhookRoute } from '../../gateway-plugin';
import { fetchGatewayJson, formBody } from '../gateway-http';
import { epaySigned, epayVerify } from './epay-signature';

export interface EpayCredentials {
  /** Gateway name for logs and errors. */
  gateway: string;
  pid: string;
  key: string;
  apiUrl: string;
  notifyUrl: string;
  returnUrl: string;
}

interface EpayCreateAnswer {
  code: number | string;
  msg?: string;
  trade_no?: string;
  payurl?: string;
  qrcode?: string;
  urlscheme?: string;
}

interface EpayOrderAnswer {
  code: number | string;
  msg?: string;
  status?: number | string;
  trade_no?: string;
  money?: string;
}

const NOTIFY_FIELDS = ['pid', 'trade_no', 'out_trade_no', 'type', 'name', 'money', 'trade_status'] as const;

/**
 * The "epay" protocol that Alipay/WeChat Pay aggregators speak (docs/gateways.md),
 * shared by every gateway that speaks it, each with its own merchant id, key and address.
 */
export class EpayProtocol {
  constructor(private readonly credentials: EpayCredentials) {}

  /** The fields of a payment, unsigned; notify_url and return_url carry no query string (epay gateways drop it). */
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
    return `${this.credentials.apiUrl}/submit.php?${new URLSearchParams(epaySigned(this.paymentFields(request), this.credentials.key))}`;
  }

  /** API pay (mapi.php): the gateway answers with a QR code or a pay URL. */
  async apiPay(request: PaymentRequest): Promise<{ paymentUrl: string; tradeNo?: string }> {
    const fields = epaySigned(
      { ...this.paymentFields(request), clientip: request.clientIp ?? '127.0.0.1', device: 'pc' },
      this.credentials.key,
    );
    const answer = await fetchGatewayJson<EpayCreateAnswer>(
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
    if (!epayVerify(fields, this.credentials.key)) {
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
      amount: fields.money,
      currency: 'cny',
      raw: new URLSearchParams(withoutSign(fields)).toString(),
    };
  }

  /** api.php?act=order: status 1 means paid. The key travels in the query, so this runs on the server only. */
  async queryOrder(orderNo: string): Promise<GatewayOrderState> {
    const query = new URLSearchParams({ act: 'order', pid: this.credentials.pid, key: this.credentials.key, out_trade_no: orderNo });
    const answer = await fetchGatewayJson<EpayOrderAnswer>(this.credentials.gateway, `${this.credentials.apiUrl}/api.php?${query}`);
    const raw = JSON.stringify({ ...answer });
    if (String(answer.code) !== '1') return { status: 'unknown', raw };
    if (String(answer.status) !== '1') return { status: 'pending', raw };
    // As strict as the notify: a yuan amount has at most 2 decimals ("20.000" is 20.00; "19.995" is no order's amount).
    if (!answer.money || !/^\d+(\.\d+)?$/.test(answer.money)) return { status: 'unknown', raw };
    const money = new Money(answer.money);
    if (!money.equals(money.toDecimalPlaces(2))) return { status: 'unknown', raw };
    return { status: 'paid', tradeNo: answer.trade_no ?? null, amount: toCny(money), currency: 'cny', raw };
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

/** The notify's fields, for the API description. */
const NOTIFY_SCHEMA = {
  type: 'object',
  required: ['pid', 'trade_no', 'out_trade_no', 'type', 'name', 'money', 'trade_status', 'sign'],
  properties: {
    pid: { type: 'string', maxLength: 64, description: 'The merchant id' },
    trade_no: { type: 'string', maxLength: 100, description: 'The gateway’s transaction id' },
    out_trade_no: { type: 'string', maxLength: 50, description: 'Our order number' },
    type: { type: 'string', enum: ['alipay', 'wxpay'] },
    name: { type: 'string', maxLength: 200 },
    money: { type: 'string', pattern: '^\\d+(\\.\\d{1,2})?$', example: '20.00' },
    trade_status: { type: 'string', maxLength: 50, example: 'TRADE_SUCCESS' },
    param: { type: 'string', maxLength: 200 },
    sign: { type: 'string', pattern: '^[0-9a-f]{32}$', description: 'MD5 over the sorted fields and the merchant key' },
    sign_type: { type: 'string', enum: ['MD5'] },
  },
};

/**
 * The callback route of an epay gateway: the notify arrives as a GET query
 * string or a POST form, and is answered with the plain text success or fail.
 */
export function epayWebhook(docs: { get?: Omit<WebhookRoute, 'method'>; post: Omit<WebhookRoute, 'method' | 'consumes' | 'bodySchema'> }): GatewayWebhook {
  return {
    routes: [
      { method: 'GET', hidden: !docs.get, summary: docs.post.summary, ...docs.get },
      { method: 'POST', consumes: 'application/x-www-form-urlencoded', bodySchema: NOTIFY_SCHEMA, ...docs.post },
    ],
    produces: 'text/plain',
    replySchema: { type: 'string', enum: ['success', 'fail'] },
    okDescription: '"success": taken (or already taken)',
    reply: (answer) => ({ contentType: 'text/plain; charset=utf-8', body: answer.httpStatus === 200 ? 'success' : 'fail' }),
  };
}
