import { IsBoolean, IsString, IsUrl, ValidateIf } from 'class-validator';
import { URL_OPTIONS, asBoolean } from '../../../common/config/app-config';
import { SectionContext } from '../../../common/config/config-section';
import { isHttpsOrLoopback } from '../../../common/config/config.loader';
import { GatewaySettings } from '../../gateway-settings';

/** `payment.zpay` in config/default.yaml. */
export class ZpaySettings extends GatewaySettings {
  @asBoolean() @IsBoolean() enabled: boolean;
  @IsString() pid: string;
  @IsString() key: string;
  @ValidateIf((o: ZpaySettings) => o.enabled || o.apiUrl !== '')
  @IsUrl(URL_OPTIONS)
  apiUrl: string;
  /** false: the merchant account has no refund API, and admins record refunds made in Zpay's console. */
  @asBoolean() @IsBoolean() refundEnabled: boolean;

  override problem({ isProduction }: SectionContext): string | null {
    if (this.enabled && (this.pid === '' || this.key === '')) return 'payment.zpay.pid and payment.zpay.key are required when zpay is enabled';
    if (isProduction && this.apiUrl !== '' && !isHttpsOrLoopback(this.apiUrl))
      return 'payment.zpay.api_url must be https in production: the merchant key travels in its query string';
    return null;
  }

  override secrets(): string[] {
    return [this.key];
  }
}
