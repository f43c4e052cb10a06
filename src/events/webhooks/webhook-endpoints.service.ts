import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../../common/config/app-config';
import { Page, PageQueryDto } from '../../common/http/page.dto';
import { EVENT_TYPES } from '../event-catalog';
import { EventsException } from '../events.errors';
import { WebhooksSettings } from '../events.settings';
import { endpointUrlProblem } from './endpoint-address';
import { DeliveryFilter, DeliveryRow, EndpointRow, WebhookEndpointsRepository } from './webhook-endpoints.repository';
import { newSigningSecret } from './webhook-signature';

export interface EndpointInput {
  url: string;
  eventTypes: string[];
  description?: string;
  enabled?: boolean;
}

export type EndpointView = EndpointRow & { pending: number; failed: number; delivered: number };

/**
 * Integrators' webhook endpoints, managed by admins (the admin controller
 * audits each change in the same transaction). The signing secret is
 * answered once, when made; lists and views never show it.
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly settings: WebhooksSettings;

  constructor(
    private readonly endpoints: WebhookEndpointsRepository,
    private readonly config: AppConfig,
  ) {
    this.settings = config.section(WebhooksSettings);
  }

  async create(em: EntityManager, input: EndpointInput, createdBy: string): Promise<{ endpoint: EndpointView; secret: string }> {
    const secret = newSigningSecret();
    const row = await this.endpoints.insert(em, {
      url: this.checkedUrl(input.url),
      eventTypes: this.checkedTypes(input.eventTypes),
      description: input.description ?? '',
      enabled: input.enabled ?? true,
      secret,
      createdBy,
    });
    return { endpoint: { ...row, pending: 0, failed: 0, delivered: 0 }, secret };
  }

  list(): Promise<EndpointView[]> {
    return this.endpoints.list();
  }

  async find(id: string): Promise<EndpointView> {
    const [found] = await this.endpoints.list(id);
    if (!found) throw EventsException.endpointNotFound(id);
    return found;
  }

  async update(em: EntityManager, id: string, change: Partial<EndpointInput>): Promise<{ before: EndpointRow; after: EndpointRow }> {
    const before = await this.endpoints.find(id, em);
    if (!before) throw EventsException.endpointNotFound(id);
    const after = await this.endpoints.update(em, id, {
      url: change.url === undefined ? undefined : this.checkedUrl(change.url),
      eventTypes: change.eventTypes === undefined ? undefined : this.checkedTypes(change.eventTypes),
      description: change.description,
      enabled: change.enabled,
    });
    return { before, after: after! };
  }

  /**
   * A new secret: deliveries are signed with it from now on, and also with
   * the old one for `keepPreviousHours`, so the receiver can switch to the
   * new secret without refusing deliveries meanwhile.
   */
  async rotateSecret(em: EntityManager, id: string, keepPreviousHours: number): Promise<{ endpoint: EndpointRow; secret: string }> {
    const secret = newSigningSecret();
    const endpoint = await this.endpoints.setSecret(em, id, secret, keepPreviousHours);
    if (!endpoint) throw EventsException.endpointNotFound(id);
    return { endpoint, secret };
  }

  async delete(em: EntityManager, id: string): Promise<EndpointRow> {
    const row = await this.endpoints.delete(em, id);
    if (!row) throw EventsException.endpointNotFound(id);
    return row;
  }

  async deliveries(id: string, filter: DeliveryFilter, page: PageQueryDto): Promise<Page<DeliveryRow>> {
    if (!(await this.endpoints.find(id))) throw EventsException.endpointNotFound(id);
    return this.endpoints.deliveries(id, filter, page);
  }

  /** Sends a delivery again; 409 while its endpoint is disabled (it would wait unseen until enabled). */
  async resend(em: EntityManager, id: string, deliveryId: string): Promise<DeliveryRow> {
    const endpoint = await this.endpoints.find(id, em);
    if (!endpoint) throw EventsException.endpointNotFound(id);
    if (!endpoint.enabled) throw EventsException.endpointDisabled(id);
    const row = await this.endpoints.resend(em, id, deliveryId, this.settings.retryHours);
    if (!row) throw EventsException.deliveryNotFound(id, deliveryId);
    return row;
  }

  private checkedUrl(url: string): string {
    const problem = endpointUrlProblem(url, { isProduction: this.config.isProduction, allowPrivate: this.settings.allowPrivate });
    if (problem) throw EventsException.urlRefused(problem);
    return url;
  }

  private checkedTypes(types: string[]): string[] {
    const unknown = types.filter((t) => t !== '*' && !(EVENT_TYPES as readonly string[]).includes(t));
    if (unknown.length > 0) throw EventsException.unknownEventTypes(unknown);
    return types.includes('*') ? ['*'] : [...new Set(types)];
  }
}
