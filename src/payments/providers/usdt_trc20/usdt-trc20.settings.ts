import { IsBoolean, IsInt, IsString, IsUrl, Max, Min } from 'class-validator';
import { URL_OPTIONS, asBoolean, asDecimalString, asInt } from '../../../common/config/app-config';
import { SectionContext } from '../../../common/config/config-section';
import { isHttpsOrLoopback } from '../../../common/config/config.loader';
import { IsDecimalString } from '../../../common/money/is-decimal-string.validator';
import { GatewaySettings } from '../../gateway-settings';
import { tronAddressProblem } from './tron-address';

/** `usdt` in config/default.yaml. */
export class UsdtTrc20Settings extends GatewaySettings {
  @asBoolean() @IsBoolean() enabled: boolean;
  /** The merchant's receiving address (base58, T…): every order is paid to it, told apart by its amount. */
  @IsString() address: string;
  @IsUrl(URL_OPTIONS) trongridApiUrl: string;
  /** Sent as TRON-PRO-API-KEY when set (TronGrid limits keyless callers hard). */
  @IsString() trongridApiKey: string;
  /** The USDT token contract (mainnet: TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t). */
  @IsString() contract: string;
  /** CNY per USDT, fixed on each order when it is created. */
  @asDecimalString() @IsDecimalString({ scale: 8, min: '0', exclusiveMin: true }) cnyPerUsdt: string;
  /** Blocks a transfer must be under; TronGrid's confirmed transfers are 19 deep (solidified), deeper is waited for. */
  @asInt() @IsInt() @Min(19) @Max(10_000) confirmations: number;
  @asInt() @IsInt() @Min(1) @Max(3600) pollSeconds: number;
  /** A transfer this long after its order expired still pays it; only then is its amount given to another order. */
  @asInt() @IsInt() @Min(0) @Max(7 * 24 * 60) latePaymentMinutes: number;

  override problem({ isProduction }: SectionContext): string | null {
    if (this.enabled && this.address === '') return 'usdt.address is required when usdt is enabled (USDT_TRC20_ADDRESS)';
    const address = this.address === '' ? null : tronAddressProblem(this.address);
    if (address) return `usdt.address ${address} (USDT_TRC20_ADDRESS)`;
    const contract = tronAddressProblem(this.contract);
    if (contract) return `usdt.contract ${contract} (USDT_TRC20_CONTRACT)`;
    if (isProduction && !isHttpsOrLoopback(this.trongridApiUrl)) return 'usdt.trongrid_api_url must be https in production: the API key travels in its headers';
    return null;
  }
}
