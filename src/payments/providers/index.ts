import { GatewayPlugin } from '../gateway-plugin';
import { sandboxGateway } from './sandbox/sandbox.gateway';
import { stripeGateway } from './stripe/stripe.gateway';
import { usdtTrc20Gateway } from './usdt_trc20/usdt-trc20.gateway';
import { zpayGateway } from './zpay/zpay.gateway';

/** Every payment gateway the app is built with: a folder under providers/ and one line here (docs/gateways.md). */
export const GATEWAYS: readonly GatewayPlugin[] = [
  zpayGateway,
  stripeGateway,
  sandboxGateway,
  usdtTrc20Gateway,
];
