import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../common/config/app-config';
import { WebhooksSettings } from '../events.settings';
import { ClaimedDelivery, WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { WebhookSender } from './webhook-sender';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signatureHeader } from './webhook-signature';
import { inSpan } from '../../common/telemetry/telemetry';

/**
 * When to try a delivery again after `attempts` failed ones: base × 2^(n-1),
 * at most the maximum, ±25 % jitter (endpoints that failed together do not
 * all come back at once); a last attempt at the deadline; null after it.
 */
export function nextAttemptAt(attempts: number, giveUpAt: Date, settings: { retryBaseSeconds: number; maxBackoffMinutes: number }, now = Date.now(), random = Math.random): Date | null {
  if (now >= giveUpAt.getTime()) return null;
  const backoffMs = Math.min(settings.retryBaseSeconds * 1000 * 2 ** Math.min(attempts - 1, 30), settings.maxBackoffMinutes * 60_000);
  const at = now + backoffMs * (0.75 + random() * 0.5);
  return new Date(Math.min(at, giveUpAt.getTime()));
}

/**
 * Sends webhook deliveries: up to webhooks.concurrency at once per
 * instance, each claimed with a lease (see WebhookEndpointsRepository), so no
 * transaction is open during the HTTP call. Each POST carries the event's
 * envelope as its body, `Recharge-Signature` and `Recharge-Event-Id`.
 */
@Injectable()
export class WebhookDeliveries {
  private readonly logger = new Logger('WebhookDeliveries');
  private readonly settings: WebhooksSettings;
  private readonly sender: WebhookSender;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly listeners: ((delivered: boolean) => void)[] = [];

  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    config: AppConfig,
  ) {
    this.settings = config.section(WebhooksSettings);
    this.sender = new WebhookSender(this.settings.timeoutSeconds * 1000, this.settings.allowPrivate);
  }

  /** Told of every attempt's outcome (the metrics). */
  onAttempt(listener: (delivered: boolean) => void): void {
    this.listeners.push(listener);
  }

  /** Claims as many due deliveries as there are free slots and starts them; answers how many it started. */
  async deliverDue(): Promise<number> {
    const free = this.settings.concurrency - this.inFlight.size;
    if (free <= 0) return 0;
    // Past the lease, a delivery whose sender died is claimed again.
    const claimed = await this.endpoints.claimDue(free, this.settings.timeoutSeconds + 30);
    for (const delivery of claimed) {
      const attempt = this.attempt(delivery).finally(() => this.inFlight.delete(attempt));
      this.inFlight.add(attempt);
    }
    return claimed.length;
  }

  /** Waits for the attempts under way (at shutdown). */
  async drain(): Promise<void> {
    await Promise.all([...this.inFlight]);
    this.sender.close();
  }

  private attempt(delivery: ClaimedDelivery): Promise<void> {
    const attributes = { 'recharge.event_id': delivery.event.id, 'recharge.event_type': delivery.event.type, 'recharge.delivery_id': delivery.id };
    return inSpan('webhook delivery', attributes, () => this.send(delivery));
  }

  private async send(delivery: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify(delivery.event);
    const signature = signatureHeader(delivery.secrets, body, Math.floor(Date.now() / 1000));
    const result = await this.sender.send(delivery.url, body, {
      [SIGNATURE_HEADER]: signature,
      [EVENT_ID_HEADER]: delivery.event.id,
      'Recharge-Event-Type': delivery.event.type,
    });
    const retryAt = result.delivered ? null : nextAttemptAt(delivery.attempts, delivery.giveUpAt, this.settings);
    try {
      await this.endpoints.recordAttempt(delivery.id, { ...result, retryAt });
    } catch (error) {
      // The lease runs out and the delivery is tried again: at least once.
      this.logger.warn({ delivery: delivery.id, reason: (error as Error).message }, 'could not record a webhook attempt');
    }
    for (const listener of this.listeners) listener(result.delivered);
    if (!result.delivered && retryAt === null) {
      this.logger.warn({ delivery: delivery.id, eventId: delivery.event.id, attempts: delivery.attempts, reason: result.error }, 'webhook delivery failed for good');
    }
  }
}
