import { AppConfig } from './common/config/app-config';
import { findRootDir, loadConfig } from './common/config/config.loader';
import { EVENTS_CONFIG, WEBHOOKS_CONFIG } from './events/events.settings';
import { GATEWAYS } from './payments/providers';

/** The app's validated configuration, with every gateway's block and the events' blocks (the app, the CLI and the tests load it here). */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env, rootDir: string = findRootDir()): AppConfig {
  return loadConfig(
    env,
    rootDir,
    [...GATEWAYS.map((gateway) => gateway.config), EVENTS_CONFIG, WEBHOOKS_CONFIG],
  );
}
