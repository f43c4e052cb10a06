import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/**
 * The one owner of usdt_trc20_amounts (which order may be paid by which
 * amount) and usdt_trc20_cursors (how far the poller has read).
 */
@Injectable()
export class UsdtTrc20Repository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Reserves for `orderNo` the smallest amount `base` + 0.001 … `base` + 0.999
   * that no other order holds on `address`, until `reservedUntil`. The
   * primary key decides between concurrent orders: the loser's row matches
   * the winner's after its commit and is not taken, and it tries the next
   * amount. Null when all 999 are held.
   */
  async claimAmount(address: string, base: string, orderNo: string, reservedUntil: Date): Promise<string | null> {
    // Each lost race means another order took an amount; there are at most 999 to take.
    for (;;) {
      const [row] = await this.dataSource.query(
        `WITH candidate AS (
           SELECT c.amount FROM generate_series(1, 999) AS k,
                  LATERAL (SELECT ($2::numeric + k * 0.001)::numeric(20,6) AS amount) AS c
            WHERE NOT EXISTS (SELECT 1 FROM usdt_trc20_amounts u
                               WHERE u.address = $1::varchar AND u.amount = c.amount AND u.reserved_until > NOW())
            ORDER BY k LIMIT 1
         ), claimed AS (
           INSERT INTO usdt_trc20_amounts AS a (address, amount, order_no, reserved_until)
           SELECT $1::varchar, amount, $3, $4 FROM candidate
           ON CONFLICT (address, amount) DO UPDATE SET order_no = EXCLUDED.order_no, reserved_until = EXCLUDED.reserved_until
            WHERE a.reserved_until <= NOW()
           RETURNING amount
         )
         SELECT (SELECT amount::text FROM claimed) AS amount, EXISTS (SELECT 1 FROM candidate) AS free`,
        [address, base, orderNo, reservedUntil],
      );
      if (row.amount !== null) return row.amount as string;
      if (!row.free) return null;
    }
  }

  /** The block time (ms) the poller has read up to on `address`, or null before its first poll. */
  async cursor(address: string): Promise<number | null> {
    const [row] = await this.dataSource.query(`SELECT min_timestamp::text AS min_timestamp FROM usdt_trc20_cursors WHERE address = $1`, [address]);
    return row ? Number(row.min_timestamp) : null;
  }

  /** Moves the cursor forward only: a slower poller that finishes late never moves it back. */
  async moveCursor(address: string, minTimestamp: number): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO usdt_trc20_cursors AS c (address, min_timestamp) VALUES ($1, $2)
       ON CONFLICT (address) DO UPDATE SET min_timestamp = GREATEST(c.min_timestamp, EXCLUDED.min_timestamp), updated_at = NOW()`,
      [address, minTimestamp],
    );
  }
}
