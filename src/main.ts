import './instrument';
import { createApp } from './app.factory';
import { bootstrapLogger, migrate, provideDatabase } from './bootstrap';
import { ConfigError } from './common/config/config.loader';
import { loadAppConfig } from './config';
import { AdminPromotionRefused } from './users/admin-bootstrap.service';

async function main(): Promise<void> {
  const started = Date.now();
  const config = loadAppConfig();
  const log = bootstrapLogger(config);
  const postgres = await provideDatabase(config, log);
  if (config.database.migrateOnStart) await migrate(config, log);

  const app = await createApp(config);
  // Stop the embedded database after the app has closed its connections.
  if (postgres) process.once('exit', () => void postgres.stop());
  await app.listen({ port: config.app.port, host: '0.0.0.0' });
  log.info(
    { url: config.app.publicBaseUrl, docs: `${config.app.publicBaseUrl}/api/docs`, ms: Date.now() - started },
    'Recharge is listening',
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof AdminPromotionRefused) {
    process.stderr.write(error.message + '\n');
  } else {
    process.stderr.write(`Recharge failed to start: ${(error as Error)?.stack ?? String(error)}\n`);
  }
  process.exit(1);
});
