import { SectionSettings } from '../common/config/config-section';

/** The base of every gateway's configuration block. */
export abstract class GatewaySettings extends SectionSettings {
  /** Whether the gateway takes new orders (its existing orders are served while it is configured). */
  abstract enabled: boolean | null;
}
