import { GatewayPlugin } from '../../gateway-plugin';
import { epayWebhook } from '../epay/epay-protocol';
import { ZpayProvider } from './zpay.provider';
import { ZpaySettings } from './zpay.settings';

/** Alipay and WeChat Pay through the Zpay aggregator (the epay protocol). */
export const zpayGateway: GatewayPlugin = {
  name: 'zpay',
  adapter: ZpayProvider,
  config: {
    path: 'payment.zpay',
    schema: ZpaySettings,
    env: { ZPAY_ENABLED: 'enabled', ZPAY_PID: 'pid', ZPAY_KEY: 'key', ZPAY_API_URL: 'api_url', ZPAY_REFUND_ENABLED: 'refund_enabled' },
  },
  webhook: epayWebhook({
    get: {
      summary: 'Zpay notify (GET query string)',
      description: 'Fields pid, trade_no, out_trade_no, type, name, money, trade_status, param?, sign, sign_type. Answers plain text success or fail.',
    },
    post: { summary: 'Zpay notify (POST form)', description: 'The same fields as the GET form, as application/x-www-form-urlencoded.' },
  }),
};
