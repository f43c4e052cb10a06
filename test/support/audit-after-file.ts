import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/common/database/data-source.options';
import { auditLedger } from '../../src/ledger/ledger-audit';

/** After every integration test file, the ledger invariants hold (docs/ledger-invariants.md). */
afterAll(async () => {
  const dataSource = new DataSource(dataSourceOptions(process.env.DATABASE_URL!, 1));
  await dataSource.initialize();
  try {
    expect(await auditLedger(dataSource)).toEqual([]);
  } finally {
    await dataSource.destroy();
  }
});
