import { IsBoolean, IsOptional, IsString } from 'class-validator';
import { asBoolean } from '../../../common/config/app-config';
import { SectionContext } from '../../../common/config/config-section';
import { GatewaySettings } from '../../gateway-settings';

/** `payment.sandbox` in config/default.yaml. */
export class SandboxSettings extends GatewaySettings {
  /** null: on outside production while no other gateway is enabled (resolved at boot). */
  @asBoolean() @IsOptional() @IsBoolean() enabled: boolean | null;
  /** Signs the sandbox's notifies; empty: a random key per start. */
  @IsString() key: string;
  /** Whether another gateway takes orders too (then a sandbox that is on is worth a warning). */
  besideRealGateway = false;

  override problem({ others }: SectionContext): string | null {
    if (this.key !== '' && others.some((other) => other.secrets().includes(this.key)))
      return 'payment.sandbox.key must differ from every real gateway key: anyone could sign a notify with it';
    return null;
  }

  /** The sandbox credits money nobody paid: on by itself only on a development machine with no other gateway. */
  override resolve({ isProduction, others }: SectionContext): void {
    this.besideRealGateway = others.some((other) => other instanceof GatewaySettings && other.enabled === true);
    this.enabled ??= !isProduction && !this.besideRealGateway;
  }
}
