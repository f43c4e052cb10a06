import { DataSource, EntityManager } from 'typeorm';

/** One broken rule of SPEC §5.8 and the rows that break it. */
export interface AuditViolation {
  invariant: string;
  rows: Record<string, unknown>[];
}

interface InvariantCheck {
  invariant: string;
  /** Selects the violating rows; none means the invariant holds. */
  sql: string;
}

/** SPEC §5.8, each rule as a query for the rows that break it. */
export const INVARIANT_CHECKS: readonly InvariantCheck[] = [
  {
    invariant: '1. balance = SUM(ledger amounts) = latest balance_after',
    sql: `
      SELECT u.id AS user_id, u.balance, s.total, l.balance_after AS latest_balance_after
        FROM users u
        LEFT JOIN (SELECT user_id, SUM(amount) AS total FROM recharge_records GROUP BY user_id) s ON s.user_id = u.id
        LEFT JOIN LATERAL (
          SELECT balance_after FROM recharge_records r WHERE r.user_id = u.id ORDER BY r.id DESC LIMIT 1
        ) l ON TRUE
       WHERE u.balance <> COALESCE(s.total, 0) OR u.balance <> COALESCE(l.balance_after, 0)`,
  },
  {
    invariant: '2. each row continues the previous one: balance_before = previous balance_after, after = before + amount',
    sql: `
      SELECT id, user_id, amount, balance_before, balance_after, previous_after
        FROM (SELECT r.*, LAG(balance_after, 1, 0::numeric) OVER (PARTITION BY user_id ORDER BY id) AS previous_after
                FROM recharge_records r) chained
       WHERE balance_before <> previous_after OR balance_after <> balance_before + amount`,
  },
  {
    invariant: '3. balances never below zero',
    sql: `
      SELECT 'user' AS kind, id, balance AS value FROM users WHERE balance < 0
      UNION ALL
      SELECT 'ledger row', id, balance_after FROM recharge_records WHERE balance_after < 0`,
  },
  {
    invariant: '4a. a paid order has exactly one payment row for amount_usd, at most one promotion row for bonus_usd, and total = amount + bonus',
    sql: `
      SELECT o.order_no, o.status, o.amount_usd, o.bonus_usd, o.total_usd,
             p.count AS payment_rows, p.total AS payment_total, b.count AS promotion_rows, b.total AS promotion_total
        FROM payment_orders o
        LEFT JOIN LATERAL (SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM recharge_records r
                            WHERE r.related_id = o.order_no AND r.type = 'payment' AND r.user_id = o.user_id) p ON TRUE
        LEFT JOIN LATERAL (SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM recharge_records r
                            WHERE r.related_id = o.order_no AND r.type = 'promotion' AND r.user_id = o.user_id) b ON TRUE
       WHERE o.total_usd <> o.amount_usd + o.bonus_usd
          OR (o.status IN ('paid', 'refunded') AND (p.count <> 1 OR p.total <> o.amount_usd))
          OR (o.status IN ('paid', 'refunded') AND (b.count > 1 OR b.total <> o.bonus_usd))`,
  },
  {
    invariant: '4b. no payment row for an order that is not paid or refunded',
    sql: `
      SELECT r.id, r.related_id AS order_no, o.status
        FROM recharge_records r
        LEFT JOIN payment_orders o ON o.order_no = r.related_id
       WHERE r.type = 'payment' AND (o.id IS NULL OR o.status NOT IN ('paid', 'refunded'))`,
  },
  {
    invariant: '4c. a refunded order has its refund row',
    sql: `
      SELECT o.order_no FROM payment_orders o
       WHERE o.status = 'refunded'
         AND NOT EXISTS (SELECT 1 FROM recharge_records r
                          WHERE r.related_id = o.order_no AND r.type = 'refund' AND r.user_id = o.user_id)`,
  },
  {
    invariant: '5. at most one referral row per invitee, and reward_issued exactly when it exists',
    sql: `
      SELECT i.invitee_id, i.referrer_id, i.reward_issued, COUNT(r.id) AS referral_rows
        FROM referral_invites i
        LEFT JOIN recharge_records r
               ON r.type = 'referral' AND r.related_id = i.invitee_id::text AND r.user_id = i.referrer_id
       GROUP BY i.id
      HAVING COUNT(r.id) > 1 OR (i.reward_issued <> (COUNT(r.id) = 1))
      UNION ALL
      SELECT NULL, r.user_id, NULL, COUNT(*) FROM recharge_records r
       WHERE r.type = 'referral'
         AND NOT EXISTS (SELECT 1 FROM referral_invites i
                          WHERE i.invitee_id::text = r.related_id AND i.referrer_id = r.user_id)
       GROUP BY r.user_id`,
  },
  {
    invariant: '6. a used promotion exactly when one promotion_records row exists',
    sql: `
      SELECT u.id AS user_id, p.status, COUNT(pr.id) AS promotion_records
        FROM users u
        LEFT JOIN user_promotions p ON p.user_id = u.id
        LEFT JOIN promotion_records pr ON pr.user_id = u.id
       GROUP BY u.id, p.status
      HAVING COUNT(pr.id) > 1 OR (COALESCE(p.status = 'used', FALSE) <> (COUNT(pr.id) = 1))`,
  },
  {
    invariant: '7. the ledger is append-only (the trigger that refuses UPDATE and DELETE is in place)',
    sql: `
      SELECT 'recharge_records_append_only' AS missing_trigger
       WHERE NOT EXISTS (SELECT 1 FROM pg_trigger
                          WHERE tgname = 'recharge_records_append_only' AND NOT tgisinternal AND tgenabled <> 'D')`,
  },
];

/**
 * Runs every check in one read-only REPEATABLE READ transaction, so all of
 * them see the same snapshot while payments keep committing.
 */
export async function auditLedger(dataSource: DataSource): Promise<AuditViolation[]> {
  return dataSource.transaction('REPEATABLE READ', async (em) => {
    await em.query('SET TRANSACTION READ ONLY');
    return findViolations(em);
  });
}

/** The checks inside the caller's transaction. */
export async function findViolations(em: EntityManager): Promise<AuditViolation[]> {
  const violations: AuditViolation[] = [];
  for (const check of INVARIANT_CHECKS) {
    const rows: Record<string, unknown>[] = await em.query(check.sql);
    if (rows.length > 0) violations.push({ invariant: check.invariant, rows });
  }
  return violations;
}
