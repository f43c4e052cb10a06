import { describe, expect, it } from 'vitest';
import { formatClock, formatDateTime, lastUtcDays, localDateTimeToIso, localDayBoundary } from '../time';
import { parseRetryAfter } from '../../api/http';

describe('formatClock', () => {
  it.each([
    [0, '00:00'],
    [59, '00:59'],
    [61, '01:01'],
    [3599, '59:59'],
    [3600, '1:00:00'],
    [86399, '23:59:59'],
    [72 * 3600 - 1, '71:59:59'],
    [-5, '00:00'],
    [12.9, '00:12'],
  ])('%s s → %s', (s, expected) => {
    expect(formatClock(s)).toBe(expected);
  });
});

describe('formatDateTime', () => {
  it('formats per locale and passes odd input through', () => {
    const iso = '2026-11-23T01:02:03.000Z';
    expect(formatDateTime(iso, 'en')).toMatch(/2026/);
    expect(formatDateTime(iso, 'zh')).toMatch(/2026/);
    expect(formatDateTime(iso, 'en')).not.toBe(formatDateTime(iso, 'zh'));
    expect(formatDateTime(null, 'en')).toBe('—');
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds and HTTP dates', () => {
    const now = Date.parse('2026-11-23T00:00:00Z');
    expect(parseRetryAfter('42', now)).toBe(42);
    expect(parseRetryAfter('Mon, 23 Nov 2026 00:00:30 GMT', now)).toBe(30);
    expect(parseRetryAfter('Mon, 22 Nov 2026 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('localDayBoundary / lastUtcDays', () => {
  it('turns a date input into local midnight, or the next midnight as an exclusive end', () => {
    expect(localDayBoundary('2026-11-23')).toBe(new Date(2026, 10, 23).toISOString());
    expect(localDayBoundary('2026-11-30', true)).toBe(new Date(2026, 11, 1).toISOString());
    expect(localDayBoundary('2026-12-31', true)).toBe(new Date(2027, 0, 1).toISOString());
    expect(localDayBoundary('')).toBeUndefined();
    expect(localDayBoundary('23/11/2026')).toBeUndefined();
  });

  it('lists the last UTC days, oldest first, across a month end', () => {
    expect(lastUtcDays(3, new Date('2026-12-01T23:30:00Z'))).toEqual(['2026-11-29', '2026-11-30', '2026-12-01']);
    expect(lastUtcDays(30, new Date('2026-11-23T00:00:00Z'))).toHaveLength(30);
  });
});

describe('localDateTimeToIso', () => {
  it('reads a datetime-local value as local time', () => {
    expect(localDateTimeToIso('2027-01-01T09:30')).toBe(new Date(2027, 0, 1, 9, 30).toISOString());
    expect(localDateTimeToIso(' 2027-01-01T09:30:15 ')).toBe(new Date(2027, 0, 1, 9, 30, 15).toISOString());
  });

  it.each(['', 'tomorrow', '2027-01-01', '2027-13-01T00:00', '2026-02-30T10:00', '2027-01-01T25:00', '2027-01-01T23:60'])('%j → undefined', (value) => {
    expect(localDateTimeToIso(value)).toBeUndefined();
  });
});
