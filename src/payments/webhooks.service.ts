import { Injectable, Logger } from '@nestjs/common';
import { isDatabaseUnavailable } from '../common/database/unavailable';
import { WebhookAnswer } from './gateway-plugin';
import { PaymentMetrics } from './payment-metrics';
import { PaymentProvider, WebhookEvent, WebhookRequest, WebhookVerificationError } from './payment-provider';
import { PaymentProviderRegistry } from './payment-provider.registry';
import { RefundsService } from './refunds.service';
import { SettlementService } from './settlement.service';
import { annotateSpan } from '../common/telemetry/telemetry';

/** What applying one piece of gateway news did, as counted in metrics. */
export type NewsResult = { applied: true; result: string } | { applied: false; httpStatus: 400; result: string };

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);

  constructor(
    private readonly providers: PaymentProviderRegistry,
    private readonly settlement: SettlementService,
    private readonly refunds: RefundsService,
    private readonly metrics: PaymentMetrics,
  ) {}

  async handle(name: string, request: WebhookRequest): Promise<WebhookAnswer> {
    const answer = await this.process(name, request);
    this.metrics.webhooks.inc({ provider: name, result: answer.result });
    return answer;
  }

  private async process(name: string, request: WebhookRequest): Promise<WebhookAnswer> {
    annotateSpan({ 'recharge.provider': name });
    // A gateway switched off for new orders still reports on its existing ones.
    const provider = this.providers.get(name);
    if (!provider?.configured) return { httpStatus: 404, result: 'provider_not_configured' };

    let event;
    try {
      // Authenticity first, before anything in the callback is believed.
      event = await provider.parseWebhook(request);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      this.logger.warn({ provider: name, reason: error.message }, 'webhook refused');
      return { httpStatus: 400, result: 'bad_signature' };
    }

    try {
      const news = await this.apply(provider, event);
      return news.applied ? { httpStatus: 200, result: news.result } : { httpStatus: news.httpStatus, result: news.result };
    } catch (error) {
      // The gateway retries; the retry is applied in full, or found already applied by the order's state.
      if (isDatabaseUnavailable(error)) {
        this.logger.warn({ provider: name }, 'webhook deferred: the database is unavailable');
        return { httpStatus: 503, result: 'database_unavailable' };
      }
      this.logger.error({ provider: name, err: error }, 'webhook processing failed');
      return { httpStatus: 500, result: 'error' };
    }
  }

  /**
   * Applies one verified piece of news from a gateway, whether it came by
   * callback or by polling. Idempotent: the same news again changes nothing.
   * Throws when it could not be applied (the gateway's retry, or the next
   * poll, brings it again).
   */
  async apply(provider: PaymentProvider, event: WebhookEvent, source: 'webhook' | 'poll' = 'webhook'): Promise<NewsResult> {
    const name = provider.name;
    switch (event.kind) {
      case 'paid': {
        const settled = await this.settlement.settlePaid({
          provider: name,
          orderNo: event.orderNo,
          tradeNo: event.tradeNo,
          amount: event.amount,
          currency: event.currency,
          eventId: event.eventId,
          raw: event.raw,
          source,
          operator: 'system',
        });
        if (settled.outcome === 'refused') return { applied: false, httpStatus: 400, result: settled.reason };
        // A second payment is not credited, but the gateway must stop sending it: it is recorded for admins.
        const results = { credited: 'credited', already_paid: 'duplicate', duplicate_payment: 'duplicate_payment' } as const;
        return { applied: true, result: results[settled.outcome] };
      }
      case 'failed':
      case 'expired': {
        const moved = await this.settlement.settleClosed(name, event.orderNo, event.eventId, event.kind === 'failed' ? 'fail' : 'expire');
        return { applied: true, result: moved ? event.kind : 'no_change' };
      }
      case 'refunded': {
        const outcome = await this.refunds.followGatewayRefund({ provider: name, ...event });
        return { applied: true, result: outcome };
      }
      case 'refund_update': {
        const outcome = await this.refunds.followRefundUpdate({ provider: name, ...event });
        return { applied: true, result: outcome };
      }
      case 'unmatched': {
        const recorded = await this.settlement.recordUnmatched(name, event);
        return { applied: true, result: recorded ? 'unmatched' : 'duplicate' };
      }
      case 'ignored':
        this.logger.log({ provider: name, eventId: event.eventId, reason: event.reason }, 'webhook ignored');
        return { applied: true, result: 'ignored' };
    }
  }
}
