import { isDatabaseUnavailable } from './unavailable';

describe('isDatabaseUnavailable', () => {
  it.each([
    ['the server shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a connection failure wrapped by TypeORM (08006)', { message: 'query failed', driverError: { code: '08006', message: 'connection failure' } }],
    ['a socket closed under a query', new Error('Connection terminated unexpectedly')],
    ['no server listening', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['the pool giving up waiting', new Error('timeout exceeded when trying to connect')],
  ])('is true for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' })],
    ['a check violation wrapped by TypeORM', { message: 'query failed', driverError: { code: '23514', message: 'violates check constraint' } }],
    ['a programming error', new TypeError('cannot read properties of undefined')],
    ['nothing at all', undefined],
  ])('is false for %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });
});
