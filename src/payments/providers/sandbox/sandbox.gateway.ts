import { GatewayPlugin } from '../../gateway-plugin';
import { epayWebhook } from '../epay/epay-protocol';
import { SandboxCheckoutController } from './sandbox-checkout.controller';
import { SandboxProvider } from './sandbox.provider';
import { SandboxSettings } from './sandbox.settings';

/** The embedded default gateway: a checkout page served by this app, paying through the epay protocol. */
export const sandboxGateway: GatewayPlugin = {
  name: 'sandbox',
  adapter: SandboxProvider,
  controllers: [SandboxCheckoutController],
  config: { path: 'payment.sandbox', schema: SandboxSettings, env: { SANDBOX_ENABLED: 'enabled' } },
  webhook: epayWebhook({
    post: { summary: 'Sandbox notify: the epay protocol, signed with the sandbox key (sent by this app’s own checkout page)' },
  }),
};
