import { describe, expect, it } from 'vitest';
import {
  addDecimal,
  bonusUsd,
  checkSignedAmount,
  cnyToUsd,
  compareDecimal,
  decimalSign,
  displayMoney,
  formatMoney,
  isCnyInput,
  isDecimal,
  mulDiv,
  normalizeCny,
  roundDecimal,
  signedMoney,
} from '../money';

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

describe('cnyToUsd: amount_cny × discount_rate ÷ exchange_rate, half-up to 8', () => {
  it.each([
    ['20.00', '1', '7.2', '2.77777778'],
    ['100.00', '1', '7.2', '13.88888889'],
    ['10.00', '1', '7.2', '1.38888889'],
    ['1.00', '1', '3', '0.33333333'], // …333 rounds down
    ['2.00', '1', '3', '0.66666667'], // …666 rounds up
    ['100.00', '1.1', '7.2', '15.27777778'], // discount above 1: more USD per yuan
    ['72.00', '1', '7.2', '10.00000000'],
    ['10000.00', '1', '7.2', '1388.88888889'],
    ['20', '1', '7.2000', '2.77777778'], // scales of the inputs do not matter
    ['99999999999999999.99', '1', '1', '99999999999999999.99000000'], // beyond float precision
  ])('%s CNY × %s ÷ %s = %s USD', (cny, discount, rate, expected) => {
    expect(cnyToUsd(cny, discount, rate)).toBe(expected);
  });
});

describe('bonusUsd: usd × percent / 100, half-up to 8', () => {
  it.each([
    ['2.77777778', 30, '0.83333333'], // 0.833333334 → down
    ['13.88888889', 30, '4.16666667'], // 4.166666667 → up
    ['10.00000000', 2.5, '0.25000000'],
    ['0.00000003', 50, '0.00000002'], // exactly half: up
    ['0.00000001', 50, '0.00000001'], // 0.000000005: half → up
    ['0.00000001', 49, '0.00000000'], // 0.0000000049 → down
    ['1388.88888889', 5, '69.44444444'],
  ])('%s × %s%% = %s', (usd, percent, expected) => {
    expect(bonusUsd(usd, percent)).toBe(expected);
  });

  it('100.00 CNY at 7.2 with 30 %: 13.88888889 + 4.16666667 = 18.05555556', () => {
    const usd = cnyToUsd('100.00', '1', '7.2');
    const bonus = bonusUsd(usd, 30);
    expect([usd, bonus, addDecimal(usd, bonus)]).toEqual(['13.88888889', '4.16666667', '18.05555556']);
  });
});

describe('mulDiv rounding', () => {
  it.each([
    ['0.000000005', '0.00000001'],
    ['0.0000000049999', '0.00000000'],
    ['-0.000000005', '-0.00000001'], // halves away from zero, like decimal.js ROUND_HALF_UP
    ['-0.0000000049', '0.00000000'],
    ['1.999999995', '2.00000000'],
  ])('%s → %s', (value, expected) => {
    expect(mulDiv(value, '1', '1', 8)).toBe(expected);
  });

  it('roundDecimal rounds half-up for display', () => {
    expect(roundDecimal('13.88888889', 2)).toBe('13.89');
    expect(roundDecimal('1.38488889', 2)).toBe('1.38');
    expect(roundDecimal('0.005', 2)).toBe('0.01');
  });

  it('rounds to the scale asked', () => {
    expect(mulDiv('10', '1', '3', 2)).toBe('3.33');
    expect(mulDiv('20', '1', '3', 2)).toBe('6.67');
    expect(mulDiv('5', '1', '2', 0)).toBe('3');
  });

  it('refuses non-decimals and division by zero', () => {
    expect(() => mulDiv('1', '1', '0', 8)).toThrow(RangeError);
    expect(() => cnyToUsd('abc', '1', '7.2')).toThrow(RangeError);
    expect(() => cnyToUsd('1e3', '1', '7.2')).toThrow(RangeError);
    expect(() => bonusUsd('1.00', 1e-7)).toThrow(RangeError); // String(1e-7) is "1e-7"
  });
});

describe('addDecimal / compareDecimal / decimalSign', () => {
  it('adds exactly at the larger scale', () => {
    expect(addDecimal('0.1', '0.2')).toBe('0.3');
    expect(addDecimal('1.5', '-2.25')).toBe('-0.75');
    expect(addDecimal('1', '2', 2)).toBe('3.00');
    expect(addDecimal('99999999999999999.99999999', '0.00000001')).toBe('100000000000000000.00000000');
  });

  it.each([
    ['1.10', '1.1', 0],
    ['10000.01', '10000.00', 1],
    ['0.99', '1', -1],
    ['-1', '0', -1],
    ['20', '20.00', 0],
    ['100000000000000000000', '99999999999999999999.99', 1],
  ] as const)('compare(%s, %s) = %s', (a, b, expected) => {
    expect(compareDecimal(a, b)).toBe(expected);
  });

  it.each([
    ['2.77777778', 1],
    ['-5.00000000', -1],
    ['0.00000000', 0],
    ['-0.00', 0],
    ['x', 0],
  ] as const)('sign(%s) = %s', (value, expected) => {
    expect(decimalSign(value)).toBe(expected);
  });
});

describe('CNY input', () => {
  it.each([
    ['20', true],
    ['20.5', true],
    ['20.50', true],
    [' 20 ', true],
    ['20.505', false],
    ['20.', false],
    ['.5', false],
    ['-1', false],
    ['1e3', false],
    ['', false],
    ['abc', false],
  ] as const)('isCnyInput(%j) = %s', (value, expected) => {
    expect(isCnyInput(value)).toBe(expected);
  });

  it('normalizes to 2 decimals', () => {
    expect(normalizeCny('20')).toBe('20.00');
    expect(normalizeCny('007.5')).toBe('7.50');
    expect(normalizeCny('0.01')).toBe('0.01');
    expect(() => normalizeCny('1.234')).toThrow(RangeError);
  });

  it('isDecimal accepts plain decimals only', () => {
    expect(isDecimal('-12.5')).toBe(true);
    expect(isDecimal('1e5')).toBe(false);
    expect(isDecimal('NaN')).toBe(false);
  });
});

describe('signed amounts (admin adjustments, ledger rows)', () => {
  it.each([
    ['5', { problem: null, value: '5' }],
    ['+0.5', { problem: null, value: '0.5' }],
    [' -2.12345678 ', { problem: null, value: '-2.12345678' }],
    ['-1000000', { problem: null, value: '-1000000' }],
    ['', { problem: 'required' }],
    ['0.000', { problem: 'zero' }],
    ['-0', { problem: 'zero' }],
    ['1.123456789', { problem: 'scale' }],
    ['1,5', { problem: 'format' }],
    ['.5', { problem: 'format' }],
    ['1e2', { problem: 'format' }],
    ['--1', { problem: 'format' }],
    ['1000000.00000001', { problem: 'range' }],
  ])('checkSignedAmount(%j) → %j', (input, expected) => {
    expect(checkSignedAmount(input)).toEqual(expected);
  });

  it('shows the sign and picks the colour', () => {
    expect(signedMoney('2.77777778')).toEqual({ text: '+2.77777778', exact: '+2.77777778', cls: 'amount-credit' });
    expect(signedMoney('-5.00000000')).toEqual({ text: '-5.00', exact: '-5.00', cls: 'amount-debit' });
    expect(signedMoney('0.00000000')).toEqual({ text: '0.00', exact: '0.00', cls: 'amount-zero' });
  });

  it('rounds for end users and keeps the exact value', () => {
    expect(signedMoney('2.77777778', 'USD', 'user')).toEqual({ text: '+2.78', exact: '+2.77777778', cls: 'amount-credit' });
    expect(signedMoney('-0.00400000', 'USD', 'user')).toEqual({ text: '0.00', exact: '-0.004', cls: 'amount-debit' });
  });
});

describe('displayMoney', () => {
  it.each([
    // End users: USD at 2 decimals, half-up (halves away from zero), exact value kept for the tooltip.
    ['13.88888889', 'USD', 'user', '13.89', '13.88888889'],
    ['13.88500000', 'USD', 'user', '13.89', '13.885'],
    ['13.88499999', 'USD', 'user', '13.88', '13.88499999'],
    ['0.00499999', 'USD', 'user', '0.00', '0.00499999'],
    ['0.00500000', 'USD', 'user', '0.01', '0.005'],
    ['-2.22500000', 'USD', 'user', '-2.23', '-2.225'],
    ['999999.99500000', 'USD', 'user', '1,000,000.00', '999,999.995'],
    ['12.50000000', 'USD', 'user', '12.50', '12.50'],
    ['99999999999999999.99999999', 'USD', 'user', '100,000,000,000,000,000.00', '99,999,999,999,999,999.99999999'],
    // Admins: every stored digit, nothing rounded.
    ['13.88888889', 'USD', 'admin', '13.88888889', '13.88888889'],
    ['0.00000001', 'USD', 'admin', '0.00000001', '0.00000001'],
    ['5.00000000', 'USD', 'admin', '5.00', '5.00'],
    // CNY: 2 decimals for everyone.
    ['1234.5', 'CNY', 'user', '1,234.50', '1,234.50'],
    ['20.00', 'CNY', 'admin', '20.00', '20.00'],
    // Not a decimal: shown as it came.
    ['n/a', 'USD', 'user', 'n/a', 'n/a'],
  ] as const)('%s %s for %s → %s (exact %s)', (value, currency, audience, text, exact) => {
    expect(displayMoney(value, currency, audience)).toEqual({ text, exact });
  });

  it('defaults to an end user', () => {
    expect(displayMoney('2.77777778', 'USD').text).toBe('2.78');
  });
});
