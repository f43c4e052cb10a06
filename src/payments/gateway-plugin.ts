import type { Provider, Type } from '@nestjs/common';
import type { ConfigSection } from '../common/config/config-section';
import type { PaymentProvider } from './payment-provider';

/** How to answer a gateway: 200 when the news is taken (or harmlessly ignored), 4xx when refused, 5xx to get a retry. */
export interface WebhookAnswer {
  httpStatus: 200 | 400 | 404 | 500 | 503;
  result: string;
}

/** One HTTP method of a gateway's callback route, with what the API description says of it. */
export interface WebhookRoute {
  method: 'GET' | 'POST';
  /** Left out of the API description (a second form of the same callback). */
  hidden?: boolean;
  summary: string;
  description?: string;
  /** Content type and schema of a POST body, for the API description. */
  consumes?: string;
  bodySchema?: Record<string, unknown>;
}

/** A gateway's callback: mounted by the payments module at /api/payment/webhook/<name>. */
export interface GatewayWebhook {
  routes: readonly WebhookRoute[];
  /** The content type of the answer, its schema, and what a 200 means, for the API description. */
  produces: string;
  replySchema: Record<string, unknown>;
  okDescription: string;
  /** The answer in the gateway's own protocol (plain "success", JSON …). */
  reply(answer: WebhookAnswer): { contentType: string; body: string | object };
}

/**
 * Everything the app needs to know of a gateway, declared in its folder and
 * listed once in providers/index.ts: its adapter (the PaymentProvider port)
 * and the classes the adapter needs, its configuration block, its callback
 * route if it has one, and pages of its own.
 */
export interface GatewayPlugin {
  name: string;
  adapter: Type<PaymentProvider>;
  /** Further injectables of the gateway (a repository, a client), provided in the payments module beside the adapter. */
  providers?: Provider[];
  /** Controllers of its own (a checkout page), mounted by the payments module. */
  controllers?: Type<unknown>[];
  config: ConfigSection;
  webhook?: GatewayWebhook;
  /** Log paths pino blanks out beside the common ones (a signature header). */
  logRedactions?: readonly string[];
}
