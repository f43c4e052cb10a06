import { describe, expect, it } from 'vitest';
import { paymentFacts } from '../paymentPayload';

describe('paymentFacts', () => {
  it('picks the transfer’s fields out of a chain gateway’s payload, the amount exactly as recorded', () => {
    const payload = JSON.stringify({
      transaction_id: 'abc123',
      from: 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb',
      to: 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB',
      token: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      value: '2781000',
      amount: '2.781000',
      block_timestamp: 1795395600000,
    });
    expect(paymentFacts(payload)).toEqual({
      amount: '2.781000',
      token: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
      from: 'T9yD14Nj9j7xAB4dbGeiX9h8unkKHxuWwb',
      to: 'TQ7c2ZbM4vHn9X2wG6r1dE5sYp8kLmN3aB',
      transactionId: 'abc123',
      paidAt: new Date(1795395600000).toISOString(),
    });
  });

  it.each([
    ['null', null],
    ['empty', ''],
    ['not JSON (form-encoded)', 'trade_no=1&money=2.00'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"2.5"'],
  ])('gives nothing for a payload that is %s', (_label, payload) => {
    expect(paymentFacts(payload)).toEqual({ amount: null, token: null, from: null, to: null, transactionId: null, paidAt: null });
  });

  it('leaves out fields that are missing, blank or of another kind; a numeric amount is shown as sent', () => {
    const facts = paymentFacts(JSON.stringify({ amount: 3, from: '  ', to: { x: 1 }, block_timestamp: 'yesterday' }));
    expect(facts).toEqual({ amount: '3', token: null, from: null, to: null, transactionId: null, paidAt: null });
  });
});
