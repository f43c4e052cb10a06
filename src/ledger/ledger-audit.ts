import { DataSource, EntityManager } from 'typeorm';

/** One broken ledger invariant and the rows that break it. */
export interface AuditViolation {
  invariant: string;
  rows: Record<string, unknown>[];
}

interface InvariantCheck {
  invariant: string;
  /** Selects the violating rows; none means the invariant holds. */
  sql: string;
}

/** The ledger's invariants, each as a query for the rows that break it. */
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
    invariant:
      '4a. a paid, refunding or refunded order has exactly one payment row for amount_usd, promotion rows (one per campaign) summing to bonus_usd, and total = amount + bonus',
    sql: `
      SELECT o.order_no, o.status, o.amount_usd, o.bonus_usd, o.total_usd,
             p.count AS payment_rows, p.total AS payment_total, b.count AS promotion_rows, b.total AS promotion_total
        FROM payment_orders o
        LEFT JOIN LATERAL (SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM recharge_records r
                            WHERE r.related_id = o.order_no AND r.type = 'payment' AND r.user_id = o.user_id) p ON TRUE
        LEFT JOIN LATERAL (SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM recharge_records r
                            WHERE r.related_id = o.order_no AND r.type = 'promotion' AND r.user_id = o.user_id) b ON TRUE
       WHERE o.total_usd <> o.amount_usd + o.bonus_usd
          OR (o.status IN ('paid', 'refunding', 'refunded') AND (p.count <> 1 OR p.total <> o.amount_usd))
          OR (o.status IN ('paid', 'refunding', 'refunded') AND b.total <> o.bonus_usd)`,
  },
  {
    invariant: '4b. no payment row for an order in any other state',
    sql: `
      SELECT r.id, r.related_id AS order_no, o.status
        FROM recharge_records r
        LEFT JOIN payment_orders o ON o.order_no = r.related_id
       WHERE r.type = 'payment' AND (o.id IS NULL OR o.status NOT IN ('paid', 'refunding', 'refunded'))`,
  },
  {
    invariant:
      '4c. an order\'s refund rows sum to minus what its standing refund took back (0 for a paid order: a reversed refund); refunding ⇔ one pending refund, refunded ⇔ one succeeded',
    sql: `
      SELECT o.order_no, o.status, COALESCE(r.total, 0) AS refund_rows_total, COALESCE(f.debited, 0) AS debited_usd,
             f.pending, f.succeeded
        FROM payment_orders o
        LEFT JOIN LATERAL (SELECT SUM(amount) AS total FROM recharge_records r
                            WHERE r.related_id = o.order_no AND r.type = 'refund' AND r.user_id = o.user_id) r ON TRUE
        LEFT JOIN LATERAL (SELECT SUM(debited_usd) FILTER (WHERE status IN ('pending', 'succeeded')) AS debited,
                                  COUNT(*) FILTER (WHERE status = 'pending') AS pending,
                                  COUNT(*) FILTER (WHERE status = 'succeeded') AS succeeded
                             FROM payment_refunds f WHERE f.order_no = o.order_no) f ON TRUE
       WHERE COALESCE(r.total, 0) <> -COALESCE(f.debited, 0)
          OR (o.status = 'refunding') <> (f.pending = 1)
          OR (o.status = 'refunded') <> (f.succeeded = 1)
          OR f.pending + f.succeeded > 1`,
  },
  {
    invariant:
      '5a. per invitee, the referral rows sum to reward_amount_usd while the reward stands, to the recorded shortfall after a reversal, else 0',
    sql: `
      SELECT i.invitee_id, i.referrer_id, i.reward_issued, i.reward_reversed_at, i.reward_amount_usd, i.reward_shortfall_usd,
             COALESCE(SUM(r.amount), 0) AS referral_total
        FROM referral_invites i
        LEFT JOIN recharge_records r
               ON r.type = 'referral' AND r.related_id = i.invitee_id::text AND r.user_id = i.referrer_id
       GROUP BY i.id
      HAVING COALESCE(SUM(r.amount), 0) <> CASE WHEN i.reward_issued THEN i.reward_amount_usd
                                                WHEN i.reward_reversed_at IS NOT NULL THEN i.reward_shortfall_usd
                                                ELSE 0 END`,
  },
  {
    invariant:
      '5b. one reward per invitee: its referral rows start with the reward and then alternate, each reversal followed only by the restoration of what it took',
    sql: `
      SELECT id, user_id, related_id, amount, previous_amount
        FROM (SELECT r.*, LAG(amount) OVER (PARTITION BY user_id, related_id ORDER BY id) AS previous_amount
                FROM recharge_records r WHERE r.type = 'referral') chained
       WHERE (previous_amount IS NULL AND amount < 0)
          OR (previous_amount IS NOT NULL AND SIGN(previous_amount) = SIGN(amount))
          OR (previous_amount < 0 AND amount <> -previous_amount)`,
  },
  {
    invariant: '5c. every referral row belongs to an invite (its invitee and referrer)',
    sql: `
      SELECT r.id, r.user_id, r.related_id FROM recharge_records r
       WHERE r.type = 'referral'
         AND NOT EXISTS (SELECT 1 FROM referral_invites i
                          WHERE i.invitee_id::text = r.related_id AND i.referrer_id = r.user_id)`,
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
    invariant: '7. the ledger is append-only (the triggers that refuse UPDATE, DELETE and TRUNCATE are in place)',
    sql: `
      SELECT name AS missing_trigger
        FROM (VALUES ('recharge_records_append_only'), ('recharge_records_no_truncate')) AS t(name)
       WHERE NOT EXISTS (SELECT 1 FROM pg_trigger
                          WHERE tgname = t.name AND tgrelid = 'recharge_records'::regclass AND NOT tgisinternal AND tgenabled <> 'D')`,
  },
  {
    invariant: '8a. a charge\'s deduct rows sum to minus what is left of it (amount − refunded): one debit, then its refunds',
    sql: `
      SELECT c.id AS charge_id, c.amount_usd, c.refunded_usd, d.debits, d.total
        FROM charges c
        LEFT JOIN LATERAL (SELECT COUNT(*) FILTER (WHERE amount < 0) AS debits, COALESCE(SUM(amount), 0) AS total
                             FROM recharge_records r WHERE r.related_id = c.id::text AND r.type = 'deduct' AND r.user_id = c.user_id) d ON TRUE
       WHERE d.debits <> 1 OR d.total <> -(c.amount_usd - c.refunded_usd)`,
  },
  {
    invariant: '8b. every deduct row belongs to a charge of its user',
    sql: `
      SELECT r.id, r.user_id, r.related_id, r.amount FROM recharge_records r
       WHERE r.type = 'deduct'
         AND NOT EXISTS (SELECT 1 FROM charges c WHERE c.id::text = r.related_id AND c.user_id = r.user_id)`,
  },
  {
    invariant: '8c. what a user holds is the sum of their active holds, and never more than the balance',
    sql: `
      SELECT u.id AS user_id, u.balance, u.held, COALESCE(h.total, 0) AS active_holds
        FROM users u
        LEFT JOIN (SELECT user_id, SUM(amount_usd) AS total FROM holds WHERE status = 'active' GROUP BY user_id) h ON h.user_id = u.id
       WHERE u.held <> COALESCE(h.total, 0) OR u.held > u.balance`,
  },
  {
    invariant: '8d. a captured hold has exactly one charge, for the amount captured; no other hold has one',
    sql: `
      SELECT h.id AS hold_id, h.status, h.captured_usd, c.id AS charge_id, c.amount_usd
        FROM holds h LEFT JOIN charges c ON c.hold_id = h.id
       WHERE (h.status = 'captured') <> (c.id IS NOT NULL) OR (c.id IS NOT NULL AND c.amount_usd <> h.captured_usd)`,
  },
  {
    invariant: "8e. every redemption has exactly one redeem row, for its batch's amount; every redeem row belongs to a redemption of its user",
    sql: `
      SELECT 'redemption' AS kind, m.id, m.user_id, m.amount_usd, b.amount_usd AS batch_amount, r.count AS redeem_rows, r.total AS redeem_total
        FROM redemptions m
        JOIN redeem_batches b ON b.id = m.batch_id
        LEFT JOIN LATERAL (SELECT COUNT(*) AS count, COALESCE(SUM(amount), 0) AS total FROM recharge_records r
                            WHERE r.related_id = m.id::text AND r.type = 'redeem' AND r.user_id = m.user_id) r ON TRUE
       WHERE r.count <> 1 OR r.total <> m.amount_usd OR m.amount_usd <> b.amount_usd
      UNION ALL
      SELECT 'ledger row', r.id, r.user_id, r.amount, NULL, NULL, NULL FROM recharge_records r
       WHERE r.type = 'redeem'
         AND NOT EXISTS (SELECT 1 FROM redemptions m WHERE m.id::text = r.related_id AND m.user_id = r.user_id)`,
  },
  {
    invariant: "8f. a code's use count equals its redemptions and never exceeds its batch's max_redemptions",
    sql: `
      SELECT c.id AS code_id, c.redemptions, b.max_redemptions, COUNT(m.id) AS redemption_rows
        FROM redeem_codes c
        JOIN redeem_batches b ON b.id = c.batch_id
        LEFT JOIN redemptions m ON m.code_id = c.id
       GROUP BY c.id, c.redemptions, b.max_redemptions
      HAVING c.redemptions <> COUNT(m.id) OR c.redemptions > b.max_redemptions`,
  },
  {
    invariant: '9a. a campaign paid no more than its budget, and a budgeted campaign\'s spent_usd is what its grants paid',
    sql: `
      SELECT c.id AS campaign_id, c.budget_usd, c.spent_usd, COALESCE(g.total, 0) AS granted
        FROM campaigns c
        LEFT JOIN (SELECT campaign_id, SUM(bonus_usd) AS total FROM campaign_grants GROUP BY campaign_id) g ON g.campaign_id = c.id
       WHERE c.budget_usd IS NOT NULL AND (COALESCE(g.total, 0) > c.budget_usd OR COALESCE(g.total, 0) <> c.spent_usd)`,
  },
  {
    invariant: '9b. no user got more bonuses from a campaign than its per-user limit',
    sql: `
      SELECT g.campaign_id, g.user_id, COUNT(*) AS grants, c.per_user_limit
        FROM campaign_grants g JOIN campaigns c ON c.id = g.campaign_id
       WHERE c.per_user_limit IS NOT NULL
       GROUP BY g.campaign_id, g.user_id, c.per_user_limit
      HAVING COUNT(*) > c.per_user_limit`,
  },
  {
    invariant: '9c. every grant has its promotion row (its campaign, order and amount), and every promotion row of a campaign has its grant',
    sql: `
      SELECT 'grant' AS kind, g.id, g.campaign_id, g.user_id, g.order_no, g.bonus_usd AS amount FROM campaign_grants g
       WHERE NOT EXISTS (SELECT 1 FROM recharge_records r
                          WHERE r.type = 'promotion' AND r.campaign_id = g.campaign_id AND r.related_id = g.order_no
                            AND r.user_id = g.user_id AND r.amount = g.bonus_usd)
      UNION ALL
      SELECT 'ledger row', r.id, r.campaign_id, r.user_id, r.related_id, r.amount FROM recharge_records r
       WHERE r.type = 'promotion' AND r.campaign_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM campaign_grants g
                          WHERE g.campaign_id = r.campaign_id AND g.order_no = r.related_id AND g.user_id = r.user_id AND g.bonus_usd = r.amount)`,
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
