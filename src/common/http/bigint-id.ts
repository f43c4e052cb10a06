import { ValidateBy } from 'class-validator';

/** PostgreSQL's BIGINT upper bound: ids above it can never exist, and a query with one would fail. */
const MAX_BIGINT = 9223372036854775807n;

/** A positive BIGINT id written as a decimal string ("42"). */
export function isBigintId(value: unknown): boolean {
  return typeof value === 'string' && /^[1-9]\d{0,18}$/.test(value) && BigInt(value) <= MAX_BIGINT;
}

/** For DTO fields (query filters): a positive BIGINT id, or a 400 naming the field. */
export const IsBigintId = (field: string) =>
  ValidateBy({ name: 'isBigintId', validator: { validate: isBigintId, defaultMessage: () => `${field} must be a positive integer id` } });
