import { DataSource } from 'typeorm';
import { loadConfig } from '../config/config.loader';
import { dataSourceOptions } from './data-source.options';

/**
 * For the TypeORM CLI (`npm run typeorm -- migration:show`). It connects to
 * DATABASE_URL, or to the embedded PostgreSQL while the app runs; the app and
 * `npm run migrate` start the embedded server themselves.
 */
const config = loadConfig();
const url =
  config.database.url || `postgres://postgres:postgres@127.0.0.1:${config.database.embedded.port}/recharge`;

export default new DataSource(dataSourceOptions(url, 2));
