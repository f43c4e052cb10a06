import { PaymentMethod, ProviderName } from './payment-order.entity';
import { PaymentProvider } from './payment-provider';
import { PaymentsException } from './payments.errors';

/** The gateways by name; the payment service reaches every gateway through here. */
export class PaymentProviderRegistry {
  private readonly byName: Map<string, PaymentProvider>;

  constructor(providers: PaymentProvider[]) {
    this.byName = new Map(providers.map((p) => [p.name, p]));
  }

  /** The provider, enabled or not (webhooks and reconciliation of old orders still need it). */
  get(name: string): PaymentProvider | undefined {
    return this.byName.get(name);
  }

  enabled(): PaymentProvider[] {
    return [...this.byName.values()].filter((p) => p.enabled);
  }

  /** The enabled provider that offers `method`, or a 400 saying what is offered. */
  forOrder(name: ProviderName, method: PaymentMethod): PaymentProvider {
    const provider = this.byName.get(name);
    if (!provider || !provider.enabled) throw PaymentsException.providerUnavailable(name);
    if (!provider.methods.includes(method)) throw PaymentsException.methodUnsupported(name, method, [...provider.methods]);
    return provider;
  }
}
