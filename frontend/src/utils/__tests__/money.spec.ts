import { describe, expect, it } from 'vitest';
import { formatMoney } from '../money';

describe('formatMoney', () => {
  it.each([
    ['12.50000000', '12.50'],
    ['0.00000000', '0.00'],
    ['0', '0.00'],
    ['2.77777778', '2.77777778'],
    ['20.00', '20.00'],
    ['1234567.1', '1,234,567.10'],
    ['1000', '1,000.00'],
    ['0.10000001', '0.10000001'],
    ['-5.25000000', '-5.25'],
    ['-0.00000000', '0.00'],
    ['007.50', '7.50'],
    ['1.123456789', '1.12345678'], // cut, never rounded through a float
    ['99999999999999999.99999999', '99,999,999,999,999,999.99999999'], // beyond float precision
    ['abc', 'abc'],
    ['', ''],
  ])('%s → %s', (input, expected) => {
    expect(formatMoney(input)).toBe(expected);
  });

  it('honours custom decimal bounds', () => {
    expect(formatMoney('3.10000000', 0, 8)).toBe('3.1');
    expect(formatMoney('3.00000000', 0, 8)).toBe('3');
    expect(formatMoney('3.14159265', 2, 4)).toBe('3.1415');
  });
});
