import { IsBoolean, IsIn, IsString, IsUrl, ValidateIf } from 'class-validator';
import { URL_OPTIONS, asBoolean } from '../../../common/config/app-config';
import { GatewaySettings } from '../../gateway-settings';

/** `payment.stripe` in config/default.yaml. */
export class StripeSettings extends GatewaySettings {
  @asBoolean() @IsBoolean() enabled: boolean;
  @IsString() apiKey: string;
  @IsString() webhookSecret: string;
  /** Another Stripe API host (a local fake in tests). */
  @ValidateIf((o: StripeSettings) => o.apiBase !== '')
  @IsUrl(URL_OPTIONS)
  apiBase: string;
  // Orders are priced in CNY and webhooks compare the paid amount with the order's.
  @IsIn(['cny'], { message: 'currency must be cny: orders are priced in CNY' }) currency: string;

  override problem(): string | null {
    if (this.enabled && (this.apiKey === '' || this.webhookSecret === ''))
      return 'payment.stripe.api_key and payment.stripe.webhook_secret are required when stripe is enabled';
    return null;
  }

  override secrets(): string[] {
    return [this.apiKey, this.webhookSecret];
  }
}
