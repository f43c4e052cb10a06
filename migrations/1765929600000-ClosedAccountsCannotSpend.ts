import { MigrationInterface, QueryRunner } from 'typeorm';

const CHARGE_BATCH = `'apply_charge_batch(varchar[], varchar[], char(64)[], bigint[], bigint[], numeric[], varchar[], jsonb[], varchar[], int)'::regprocedure`;

/** The users a charge batch locks and charges: every one asked for … */
const ANY_USER = 'WHERE id = ANY (ARRAY(SELECT p_user[i] FROM generate_subscripts(p_user, 1) AS i WHERE claimed[i]))';
/** … or only the open accounts: a closed one answers as a user not found. */
const OPEN_USERS = `${ANY_USER} AND status <> 'closed'`;

/** Rewrites one clause of the stored function, and fails if the function no longer holds it. */
const rewrite = (from: string, to: string) => `
  DO $do$
  DECLARE
    definition text := pg_get_functiondef(${CHARGE_BATCH});
  BEGIN
    IF position(${quote(from)} IN definition) = 0 THEN
      RAISE EXCEPTION 'apply_charge_batch does not hold the clause to rewrite: %', ${quote(from)};
    END IF;
    EXECUTE replace(definition, ${quote(from)}, ${quote(to)});
  END
  $do$`;

function quote(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

/**
 * A closed account can no longer be charged through the service API: the
 * charge batch skips it, so the charge is refused as for an unknown user
 * (404) and the closed account's balance stays as it was recorded at
 * closing. Holds are refused the same way, in the application.
 */
export class ClosedAccountsCannotSpend1765929600000 implements MigrationInterface {
  name = 'ClosedAccountsCannotSpend1765929600000';

  public async up(q: QueryRunner): Promise<void> {
    await q.query(rewrite(ANY_USER, OPEN_USERS));
  }

  public async down(q: QueryRunner): Promise<void> {
    await q.query(rewrite(OPEN_USERS, ANY_USER));
  }
}
