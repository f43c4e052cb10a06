import { endpointUrlProblem, privateAddressReason, publicOnlyLookup } from './endpoint-address';

describe('webhook endpoint addresses (SSRF)', () => {
  const strict = { isProduction: true, allowPrivate: false };

  it('accepts a public https URL', () => {
    expect(endpointUrlProblem('https://shop.example.com/hooks', strict)).toBeNull();
    expect(endpointUrlProblem('https://93.184.216.34/hooks', strict)).toBeNull();
  });

  it.each([
    ['http://shop.example.com/hooks', 'must be https in production'],
    ['ftp://shop.example.com/x', 'must be http or https'],
    ['https://user:pw@shop.example.com/', 'must not carry credentials (the signature authenticates deliveries)'],
    ['not a url', 'is not a URL'],
    ['https://localhost/hooks', 'localhost is a loopback name (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://127.0.0.1/hooks', '127.0.0.1 is a loopback address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://10.1.2.3/hooks', '10.1.2.3 is a private address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://169.254.169.254/latest/meta-data', '169.254.169.254 is a linkLocal address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://[::1]/hooks', '::1 is a loopback address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://[::ffff:192.168.0.1]/hooks', '192.168.0.1 is a private address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
  ])('refuses %s: %s', (url, reason) => {
    expect(endpointUrlProblem(url, strict)).toBe(reason);
  });

  it('allows loopback over plain http only when private targets are allowed (tests, local development)', () => {
    expect(endpointUrlProblem('http://127.0.0.1:9000/hooks', { isProduction: true, allowPrivate: true })).toBeNull();
    expect(endpointUrlProblem('http://10.0.0.5/hooks', { isProduction: true, allowPrivate: true })).toBe('must be https in production');
    expect(endpointUrlProblem('http://shop.example.com/hooks', { isProduction: false, allowPrivate: false })).toBeNull();
  });

  it('names the range of a non-public address, and passes public ones', () => {
    expect(privateAddressReason('8.8.8.8')).toBeNull();
    expect(privateAddressReason('100.64.0.1')).toBe('100.64.0.1 is a carrierGradeNat address');
    expect(privateAddressReason('fd00::1')).toBe('fd00::1 is a uniqueLocal address');
  });

  it('refuses, at connection time, a name that resolves to a private address', async () => {
    const result = await new Promise<{ error: NodeJS.ErrnoException | null }>((resolve) => publicOnlyLookup('localhost', {}, (error) => resolve({ error })));
    expect(result.error?.code).toBe('EPRIVATEADDRESS');
    expect(result.error?.message).toMatch(/^localhost resolves to a non-public address: .* is a loopback address$/);
  });
});
