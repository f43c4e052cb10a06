import { PaymentProvider } from './payment-provider';
import { PaymentsException } from './payments.errors';

/** What a gateway's name must look like (payment_providers.name). */
export const PROVIDER_NAME_PATTERN = /^[a-z][a-z0-9_]{1,19}$/;

/** The gateways by name; the payment service reaches every gateway through here. */
export class PaymentProviderRegistry {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(providers: readonly PaymentProvider[]) {
    this.byName = new Map();
    for (const provider of providers) {
      if (!PROVIDER_NAME_PATTERN.test(provider.name)) throw new Error(`payments: gateway name "${provider.name}" must match ${PROVIDER_NAME_PATTERN}`);
      if (this.byName.has(provider.name)) throw new Error(`payments: two gateways are named "${provider.name}"`);
      this.byName.set(provider.name, provider);
    }
  }

  /** The provider, enabled or not (webhooks and reconciliation of old orders still need it). */
  get(name: string): PaymentProvider | undefined {
    return this.byName.get(name);
  }

  all(): PaymentProvider[] {
    return [...this.byName.values()];
  }

  enabled(): PaymentProvider[] {
    return this.all().filter((p) => p.enabled);
  }

  /** The gateways whose payments are found by polling them. */
  polled(): PaymentProvider[] {
    return this.all().filter((p) => p.pollSeconds !== null && p.configured);
  }

  /** The enabled provider that offers `method`, or a 400 saying what is offered. */
  forOrder(name: string, method: string): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider || !provider.enabled) throw PaymentsException.providerUnavailable(name, this.enabled().map((p) => p.name));
    if (!provider.methods.includes(method)) throw PaymentsException.methodUnsupported(name, method, [...provider.methods]);
    return provider;
  }
}
