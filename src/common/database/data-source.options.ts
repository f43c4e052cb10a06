import { DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';

/** What every connection of ours shares: the app, the CLI and the tests. */
export function dataSourceOptions(url: string, poolSize = 10, entities: NonNullable<DataSourceOptions['entities']> = []): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations: MIGRATIONS,
    migrationsTableName: 'migrations',
    // The schema belongs to the migrations alone: never synchronised from the entities.
    synchronize: false,
    migrationsRun: false,
    extra: { max: poolSize, application_name: 'recharge' },
  };
}
