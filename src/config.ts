import { AppConfig } from './common/config/app-config';
import { findRootDir, loadConfig } from './common/config/config.loader';
import { GATEWAYS } from './payments/providers';

/** The app's validated configuration, with every gateway's block (the app, the CLI and the tests load it here). */
export function loadAppConfig(env: NodeJS.ProcessEnv = process.env, rootDir: string = findRootDir()): AppConfig {
  return loadConfig(
    env,
    rootDir,
    GATEWAYS.map((gateway) => gateway.config),
  );
}
