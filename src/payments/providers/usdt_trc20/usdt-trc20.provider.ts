import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../common/config/app-config';
import { Money, roundToScale } from '../../../common/money/money';
import { PaymentOrdersRepository } from '../../payment-orders.repository';
import {
  AcceptedRefund,
  ClosedPayment,
  GatewayOrderState,
  GatewayRefusal,
  PaymentProvider,
  PaymentRequest,
  PollResult,
  StartedPayment,
  WebhookEvent,
  WebhookVerificationError,
} from '../../payment-provider';
import { Trc20Transfer, TronGridClient, unitsToDecimal } from './trongrid.client';
import { UsdtTrc20Repository } from './usdt-trc20.repository';
import { UsdtTrc20Settings } from './usdt-trc20.settings';

/** The order's price in USDT is rounded half-up to cents; the unique suffix adds 0.001 … 0.999. */
const BASE_SCALE = 2;
/** TRON makes a block every 3 s; TronGrid's confirmed transfers are 19 blocks deep. */
const BLOCK_MS = 3000;
const SOLIDIFIED_CONFIRMATIONS = 19;
/** One poll reads at most this many pages (200 transfers each), then commits and goes on next time. */
const MAX_PAGES_PER_POLL = 50;
/** A transfer of another amount is taken for an order's payment when the two differ by at most this share of the amount sent. */
const MISMATCH_TOLERANCE = '0.1';

/**
 * USDT on TRON (TRC20). The payer sends an exact amount to the merchant's
 * one address; each order is given an amount no other open order on the
 * address has (the CNY price at usdt.cny_per_usdt, plus a suffix of up to
 * 0.999), and a poller reads the address's incoming transfers from TronGrid
 * and matches them by that amount. The transfer's transaction id is the
 * trade number: a transfer is credited once, however often it is read.
 * There is no refund API: refunds are sent by hand and recorded.
 */
@Injectable()
export class UsdtTrc20Provider extends PaymentProvider {
  readonly name = 'usdt_trc20';
  readonly labels = { zh: 'USDT（TRC20，波场网络）', en: 'USDT (TRC20, TRON network)' };
  readonly methods = ['usdt'] as const;
  readonly display = 'address' as const;
  override readonly pollSeconds: number;
  readonly enabled: boolean;
  readonly configured: boolean;
  readonly refundsByApi = false;
  private readonly settings: UsdtTrc20Settings;
  private readonly tronGrid: TronGridClient;

  constructor(
    private readonly config: AppConfig,
    private readonly amounts: UsdtTrc20Repository,
    private readonly orders: PaymentOrdersRepository,
  ) {
    super();
    this.settings = config.section(UsdtTrc20Settings);
    this.enabled = this.settings.enabled;
    this.configured = this.settings.address !== '';
    this.pollSeconds = this.settings.pollSeconds;
    this.tronGrid = new TronGridClient({ apiUrl: this.settings.trongridApiUrl, apiKey: this.settings.trongridApiKey });
  }

  /** The amount must be reserved in the database first. */
  localPayment(): null {
    return null;
  }

  /**
   * Reserves the order's unique amount on the address until the order's
   * expiry plus the late-payment window. Refused (the order fails, nothing
   * is charged) when every amount near the price is held.
   */
  async createPayment(request: PaymentRequest): Promise<StartedPayment> {
    const rate = this.settings.cnyPerUsdt;
    // Half-up to cents: the suffix then makes it unique, and the payer never pays more than 0.999 USDT over the rounded price.
    const base = roundToScale(new Money(request.amountCny).dividedBy(rate), BASE_SCALE);
    const reservedUntil = new Date(request.expireAt.getTime() + this.settings.latePaymentMinutes * 60_000);
    const amount = await this.amounts.claimAmount(this.settings.address, base, request.orderNo, reservedUntil);
    if (amount === null) throw new GatewayRefusal(`${this.name}: every amount near ${base} USDT is taken by open orders; try again later`);
    const payAmount = new Money(amount).toFixed(3);
    return {
      // What the payer's wallet scans: the address (the amount is typed, and shown beside it).
      paymentUrl: this.settings.address,
      pay: { currency: 'USDT', amount: payAmount, rate, address: this.settings.address },
    };
  }

  /** A transfer cannot be stopped: one that still arrives within the late window is credited. */
  async closePayment(): Promise<ClosedPayment> {
    return { status: 'not_supported' };
  }

  /** Nothing calls back: payments are found by polling. */
  async parseWebhook(): Promise<WebhookEvent> {
    throw new WebhookVerificationError(`${this.name}: has no callback`);
  }

  /** Orders are not asked about one by one: the poll reads every transfer to the address. */
  async queryOrder(): Promise<GatewayOrderState> {
    return { status: 'unknown', raw: '{"reason":"found by polling the address"}' };
  }

  async refund(): Promise<AcceptedRefund> {
    throw new GatewayRefusal(`${this.name}: no refund API; send the USDT back by hand and record the refund`);
  }

  /**
   * Reads the address's confirmed USDT transfers since the cursor, oldest
   * first, page by page, and turns each incoming one into news: paid (the
   * order that asked for exactly this amount and was open when it was
   * sent), paid with another amount (the open order nearest to it, for an
   * admin), or unmatched. Transfers out of the address, of other tokens, or
   * not yet deep enough are left out; the cursor moves to the newest
   * transfer read, only once all the news was applied.
   */
  override async poll(): Promise<PollResult> {
    const { address, contract } = this.settings;
    const openWindowMs = (this.config.payment.orderExpireMinutes + this.settings.latePaymentMinutes) * 60_000;
    const start = (await this.amounts.cursor(address)) ?? Date.now() - openWindowMs;
    const deepEnoughBefore = Date.now() - Math.max(0, this.settings.confirmations - SOLIDIFIED_CONFIRMATIONS) * BLOCK_MS;
    const events: WebhookEvent[] = [];
    let readUpTo = start;
    let fingerprint: string | null = null;
    for (let page = 0; page < MAX_PAGES_PER_POLL; page++) {
      const result = await this.tronGrid.transfersPage({ address, contract, minTimestamp: start, fingerprint });
      for (const transfer of result.transfers) {
        // Oldest first: from here on nothing is deep enough yet.
        if (transfer.blockTimestamp > deepEnoughBefore) return this.result(events, readUpTo);
        readUpTo = Math.max(readUpTo, transfer.blockTimestamp);
        if (transfer.to !== address || transfer.tokenAddress !== contract) continue;
        events.push(await this.newsOf(transfer));
      }
      fingerprint = result.fingerprint;
      if (!fingerprint) break;
    }
    return this.result(events, readUpTo);
  }

  private result(events: WebhookEvent[], readUpTo: number): PollResult {
    // min_timestamp is inclusive: transfers in the last millisecond read are read again next time, and found applied.
    return { events, commit: () => this.amounts.moveCursor(this.settings.address, readUpTo) };
  }

  private async newsOf(transfer: Trc20Transfer): Promise<WebhookEvent> {
    const amount = unitsToDecimal(transfer.value, transfer.decimals);
    const at = new Date(transfer.blockTimestamp);
    const raw = JSON.stringify({
      transaction_id: transfer.transactionId,
      from: transfer.from,
      to: transfer.to,
      // Only the configured USDT contract's transfers get here.
      currency: 'USDT',
      token: transfer.tokenAddress,
      value: transfer.value,
      amount,
      block_timestamp: transfer.blockTimestamp,
    });
    const late = this.settings.latePaymentMinutes;
    const order =
      (await this.orders.findByPayAmount(this.name, this.settings.address, amount, at, late)) ??
      (await this.orders.findNearestPayAmount(this.name, this.settings.address, amount, at, late, new Money(amount).times(MISMATCH_TOLERANCE).toFixed()));
    if (!order) return { kind: 'unmatched', eventId: transfer.transactionId, reason: `no open order asked for ${amount} USDT`, raw };
    // Settlement checks the amount: another amount than asked is recorded on the order for an admin, never credited.
    return { kind: 'paid', eventId: transfer.transactionId, orderNo: order.orderNo, tradeNo: transfer.transactionId, amount, currency: 'usdt', raw };
  }
}
