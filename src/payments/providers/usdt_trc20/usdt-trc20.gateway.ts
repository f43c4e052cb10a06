import { GatewayPlugin } from '../../gateway-plugin';
import { UsdtTrc20Provider } from './usdt-trc20.provider';
import { UsdtTrc20Repository } from './usdt-trc20.repository';
import { UsdtTrc20Settings } from './usdt-trc20.settings';

/** USDT on TRON: an exact amount sent to the merchant's address, found by polling TronGrid. */
export const usdtTrc20Gateway: GatewayPlugin = {
  name: 'usdt_trc20',
  adapter: UsdtTrc20Provider,
  providers: [UsdtTrc20Repository],
  config: {
    path: 'usdt',
    schema: UsdtTrc20Settings,
    env: {
      USDT_TRC20_ENABLED: 'enabled',
      USDT_TRC20_ADDRESS: 'address',
      USDT_TRC20_CONTRACT: 'contract',
      TRONGRID_API_URL: 'trongrid_api_url',
      TRONGRID_API_KEY: 'trongrid_api_key',
    },
  },
};
