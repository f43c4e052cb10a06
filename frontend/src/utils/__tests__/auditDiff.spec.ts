import { describe, expect, it } from 'vitest';
import { auditDiff, flattenState, formatDiffValue } from '../auditDiff';

describe('auditDiff', () => {
  it('a balance adjustment: the balance changed (every digit kept), the new fields added', () => {
    expect(
      auditDiff({ balance: '12.50000000' }, { balance: '17.50000000', rechargeRecordId: '1042', amount: '5.00000000' }),
    ).toEqual([
      { key: 'balance', change: 'changed', before: '12.50000000', after: '17.50000000' },
      { key: 'rechargeRecordId', change: 'added', before: undefined, after: '1042' },
      { key: 'amount', change: 'added', before: undefined, after: '5.00000000' },
    ]);
  });

  it('unchanged fields are told apart from changed ones; a removed field keeps its old value', () => {
    const rows = auditDiff({ status: 'refunding', refundId: '7', note: 'x' }, { status: 'paid', note: 'x', outcome: 'not_refunded' });
    expect(rows.map((r) => [r.key, r.change])).toEqual([
      ['status', 'changed'],
      ['refundId', 'removed'],
      ['note', 'unchanged'],
      ['outcome', 'added'],
    ]);
    expect(rows[1]).toEqual({ key: 'refundId', change: 'removed', before: '7', after: undefined });
  });

  it('a decimal string that only gained a trailing zero counts as changed (the stored text differs)', () => {
    expect(auditDiff({ amount: '5.0' }, { amount: '5.00' })[0]!.change).toBe('changed');
    expect(auditDiff({ amount: '5.00' }, { amount: '5.00' })[0]!.change).toBe('unchanged');
  });

  it('nested objects are flattened to dotted keys (an export’s filter)', () => {
    const rows = auditDiff(null, { filter: { userId: '42', status: 'paid', attention: true, range: { from: '2026-11-01T00:00:00.000Z' } } });
    expect(rows).toEqual([
      { key: 'filter.userId', change: 'added', before: undefined, after: '42' },
      { key: 'filter.status', change: 'added', before: undefined, after: 'paid' },
      { key: 'filter.attention', change: 'added', before: undefined, after: true },
      { key: 'filter.range.from', change: 'added', before: undefined, after: '2026-11-01T00:00:00.000Z' },
    ]);
  });

  it('nested changes compare leaf by leaf', () => {
    const rows = auditDiff({ filter: { userId: '42', type: 'admin' } }, { filter: { userId: '43', type: 'admin' } });
    expect(rows.map((r) => [r.key, r.change, r.before, r.after])).toEqual([
      ['filter.userId', 'changed', '42', '43'],
      ['filter.type', 'unchanged', 'admin', 'admin'],
    ]);
  });

  it('everything is added when there is no before, removed when there is no after', () => {
    expect(auditDiff(null, { name: 'ci', scopes: ['charges:write'] }).map((r) => r.change)).toEqual(['added', 'added']);
    expect(auditDiff({ name: 'ci' }, null)).toEqual([{ key: 'name', change: 'removed', before: 'ci', after: undefined }]);
    expect(auditDiff(undefined, {})).toEqual([]);
    expect(auditDiff(null, null)).toEqual([]);
  });

  it('null values are values: set to null is a change, not a removal', () => {
    expect(auditDiff({ expiresAt: '2027-01-01T00:00:00.000Z' }, { expiresAt: null })).toEqual([
      { key: 'expiresAt', change: 'changed', before: '2027-01-01T00:00:00.000Z', after: null },
    ]);
    expect(auditDiff({ disabledAt: null }, { disabledAt: null })[0]!.change).toBe('unchanged');
  });

  it('arrays of plain values stay one field; arrays of objects are flattened by index', () => {
    expect(auditDiff({ scopes: ['balances:read'] }, { scopes: ['balances:read', 'charges:write'] })).toEqual([
      { key: 'scopes', change: 'changed', before: ['balances:read'], after: ['balances:read', 'charges:write'] },
    ]);
    const rows = auditDiff(null, { resolvedEvents: [{ eventId: 'zpay:1', outcome: 'duplicate_payment' }] });
    expect(rows.map((r) => r.key)).toEqual(['resolvedEvents.0.eventId', 'resolvedEvents.0.outcome']);
  });

  it('an object replaced by a plain value: the nested keys removed, the plain key added', () => {
    expect(auditDiff({ a: { b: 1 } }, { a: 2 }).map((r) => [r.key, r.change])).toEqual([
      ['a.b', 'removed'],
      ['a', 'added'],
    ]);
  });
});

describe('flattenState', () => {
  it('keeps empty objects and arrays as values, and leaves out undefined', () => {
    expect([...flattenState({ filter: {}, list: [], gone: undefined, n: 0 }).entries()]).toEqual([
      ['filter', {}],
      ['list', []],
      ['n', 0],
    ]);
  });
});

describe('formatDiffValue', () => {
  it.each([
    ['12.50000000', '12.50000000'],
    ['13.88888889', '13.88888889'],
    ['', '""'],
    [null, 'null'],
    [true, 'true'],
    [0, '0'],
    [['charges:write', 'balances:read'], '["charges:write","balances:read"]'],
    [{}, '{}'],
  ] as const)('%j → %j', (value, text) => {
    expect(formatDiffValue(value as Parameters<typeof formatDiffValue>[0])).toBe(text);
  });
});
