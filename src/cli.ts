import { parseArgs } from 'node:util';
import { DataSource } from 'typeorm';
import { bootstrapLogger, migrate, provideDatabase } from './bootstrap';
import { AppConfig } from './common/config/app-config';
import { ConfigError } from './common/config/config.loader';
import { loadAppConfig } from './config';
import { dataSourceOptions } from './common/database/data-source.options';
import { auditLedger } from './ledger/ledger-audit';
import { AdminBootstrapService, AdminPromotionRefused } from './users/admin-bootstrap.service';
import { User } from './users/user.entity';

const USAGE = `Usage: node dist/src/cli.js <command>
  migrate                                   apply pending migrations
  audit                                     check the ledger invariants; exit 1 on any violation
  create-admin --email E [--password P] [--promote]
                                            create an admin, or re-key one (password also from ADMIN_PASSWORD);
                                            an existing non-admin account is made admin only with --promote
With no DATABASE_URL these use the embedded PostgreSQL, starting it when the app is not running.`;

async function withDataSource<T>(config: AppConfig, work: (ds: DataSource) => Promise<T>): Promise<T> {
  const dataSource = await new DataSource(dataSourceOptions(config.database.url, 2, [User])).initialize();
  try {
    return await work(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function run(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      email: { type: 'string' },
      password: { type: 'string' },
      promote: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const command = positionals[0];
  if (values.help || !command) {
    process.stdout.write(USAGE + '\n');
    return command || values.help ? 0 : 2;
  }
  const config = loadAppConfig();
  const log = bootstrapLogger(config, 'warn');
  const postgres = await provideDatabase(config, log);
  try {
    switch (command) {
      case 'migrate': {
        await migrate(config, bootstrapLogger(config, 'info'));
        process.stdout.write('migrations are up to date\n');
        return 0;
      }
      case 'audit': {
        const violations = await withDataSource(config, auditLedger);
        if (violations.length === 0) {
          process.stdout.write('ledger audit: every invariant holds\n');
          return 0;
        }
        for (const v of violations) {
          process.stdout.write(`VIOLATION ${v.invariant}\n`);
          for (const row of v.rows) process.stdout.write(`  ${JSON.stringify(row)}\n`);
        }
        process.stdout.write(`ledger audit: ${violations.length} invariant(s) violated\n`);
        return 1;
      }
      case 'create-admin': {
        const email = values.email ?? config.auth.adminEmail;
        const password = values.password ?? config.auth.adminPassword;
        if (!email || !password || password.length < 8 || password.length > 72) {
          process.stderr.write('create-admin needs --email and a --password (or ADMIN_PASSWORD) of 8-72 characters\n');
          return 2;
        }
        const promote = values.promote === true;
        const outcome = await withDataSource(config, (ds) => new AdminBootstrapService(ds, config).ensureAdmin(email, password, { promote }));
        process.stdout.write(`admin ${email.toLowerCase()}: ${outcome}\n`);
        return 0;
      }
      default:
        process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
        return 2;
    }
  } finally {
    await postgres?.stop();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const oneLine = error instanceof ConfigError || error instanceof AdminPromotionRefused;
    process.stderr.write(oneLine ? (error as Error).message + '\n' : `${(error as Error)?.stack ?? error}\n`);
    process.exit(1);
  },
);
