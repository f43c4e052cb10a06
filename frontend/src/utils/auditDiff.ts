/**
 * The before/after of an audit-log entry as rows a person can read: one row
 * per field present on either side, nested objects flattened to dotted keys
 * (`filter.userId`), arrays of objects by index (`resolvedEvents.0.eventId`).
 * Values are shown exactly as stored — a decimal string such as
 * "12.50000000" keeps every digit; it is never read as a number.
 */

/** How a field changed: `added` / `removed` when it is missing on one side. */
export type DiffChange = 'changed' | 'unchanged' | 'added' | 'removed';

/** A leaf value as stored: a string, number, boolean, null, an array of such values, or an empty object / array. */
export type DiffValue = string | number | boolean | null | readonly unknown[] | Record<string, never>;

export interface DiffRow {
  /** The dotted path of the field: "balance", "filter.userId". */
  key: string;
  change: DiffChange;
  /** The value before; `undefined` when the field was not there. */
  before: DiffValue | undefined;
  /** The value after; `undefined` when the field is not there any more. */
  after: DiffValue | undefined;
}

type JsonObject = Record<string, unknown>;

function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True for an array whose items are all plain values (shown as one value, e.g. an API key's scopes). */
function isFlatArray(value: readonly unknown[]): boolean {
  return value.every((item) => item === null || typeof item !== 'object');
}

/** The leaves of a JSON object by dotted path, in the object's own key order. */
export function flattenState(state: JsonObject | null | undefined, prefix = '', into = new Map<string, DiffValue>()): Map<string, DiffValue> {
  if (!state) return into;
  for (const [key, value] of Object.entries(state)) {
    const path = prefix === '' ? key : `${prefix}.${key}`;
    if (isPlainObject(value) && Object.keys(value).length > 0) {
      flattenState(value, path, into);
    } else if (Array.isArray(value) && value.length > 0 && !isFlatArray(value)) {
      flattenState(Object.fromEntries(value.map((item, i) => [String(i), item])), path, into);
    } else if (value === undefined) {
      continue;
    } else {
      into.set(path, value as DiffValue);
    }
  }
  return into;
}

/** A stable comparison key: strings stay strings ("5.0" ≠ "5.00": the stored text changed). */
function same(a: DiffValue, b: DiffValue): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * One row per field in `before` or `after` (either may be null, e.g. a
 * creation has no before): first the fields of `before` in their order, then
 * those only in `after`.
 */
export function auditDiff(before: JsonObject | null | undefined, after: JsonObject | null | undefined): DiffRow[] {
  const old = flattenState(before);
  const now = flattenState(after);
  const keys = [...old.keys(), ...[...now.keys()].filter((k) => !old.has(k))];
  return keys.map((key) => {
    const b = old.get(key);
    const a = now.get(key);
    const change: DiffChange = !old.has(key) ? 'added' : !now.has(key) ? 'removed' : same(b!, a!) ? 'unchanged' : 'changed';
    return { key, change, before: b, after: a };
  });
}

/**
 * A leaf value as text, exactly: strings unchanged (decimal strings keep every
 * digit; an empty one as ""), `null` as "null", numbers and booleans as written, arrays and empty
 * objects as JSON.
 */
export function formatDiffValue(value: DiffValue): string {
  if (typeof value === 'string') return value === '' ? '""' : value;
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
