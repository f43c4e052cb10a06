import { convertCnyToUsd, percentOf, roundToScale, toCny, trimAmount } from './money';
import { decimalStringProblem } from './is-decimal-string.validator';

describe('money', () => {
  it.each([
    ['20.00', '1', '7.2', '2.77777778'],
    ['10.00', '1', '7.2', '1.38888889'],
    ['7.20', '1', '7.2', '1.00000000'],
    ['100.00', '1.05', '7.2', '14.58333333'],
    ['0.01', '1', '7.2', '0.00138889'],
    ['10000.00', '1', '7.1', '1408.45070423'],
    ['9.99', '1', '3', '3.33000000'],
  ])('converts %s CNY at discount %s and rate %s to %s USD', (cny, discount, rate, usd) => {
    expect(convertCnyToUsd(cny, discount, rate)).toBe(usd);
  });

  it.each([
    ['2.77777778', 30, '0.83333333'],
    ['2.77777778', 20, '0.55555556'],
    ['1.00000005', 10, '0.10000001'], // 0.100000005 rounds half up
    ['1.00000004', 10, '0.10000000'],
    ['0', 30, '0.00000000'],
  ])('takes %s × %i %% with half-up rounding: %s', (usd, percent, bonus) => {
    expect(percentOf(usd, percent)).toBe(bonus);
  });

  it.each([
    ['0.005', 2, '0.01'],
    ['0.004999', 2, '0.00'],
    ['-0.005', 2, '-0.01'], // half away from zero for debits
    ['1.123456785', 8, '1.12345679'],
    ['12345678901.123456785', 8, '12345678901.12345679'],
  ])('rounds %s to %i places as %s', (value, scale, expected) => {
    expect(roundToScale(value, scale)).toBe(expected);
  });

  it('never goes through binary floating point', () => {
    expect(toCny('0.1')).toBe('0.10');
    expect(roundToScale('0.1', 8)).toBe('0.10000000');
    // 0.1 + 0.2 in doubles is 0.30000000000000004
    expect(roundToScale('0.30000000000000004', 17)).toBe('0.30000000000000004');
  });

  it.each([
    ['20.00', null],
    ['20', null],
    ['1e3', 'must be a decimal number written as a string, like "20.00"'],
    [' 20', 'must be a decimal number written as a string, like "20.00"'],
    [20, 'must be a decimal number written as a string, like "20.00"'],
    ['20.001', 'must have at most 2 decimal places'],
    ['0.99', 'must be at least 1.00'],
    ['10000.01', 'must be at most 10000.00'],
  ])('checks %j against [1.00, 10000.00] with 2 places: %s', (value, problem) => {
    expect(decimalStringProblem(value, { scale: 2, min: '1.00', max: '10000.00' })).toBe(problem);
  });
});

describe('trimAmount', () => {
  it.each([
    ['2.78100000', '2.781'],
    ['20.00000000', '20.00'],
    ['7.20000000', '7.20'],
    ['0.00100000', '0.001'],
    ['123456789012.12345678', '123456789012.12345678'],
  ])('shows %s as %s', (stored, shown) => {
    expect(trimAmount(stored)).toBe(shown);
  });
});
