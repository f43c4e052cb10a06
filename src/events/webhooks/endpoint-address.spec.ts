import { endpointUrlProblem, privateAddressReason, publicOnlyLookup } from './endpoint-address';

describe('webhook endpoint addresses (SSRF)', () => {
  const strict = { isProduction: true, allowPrivate: false };

  it('accepts a public https URL', () => {
    expect(endpointUrlProblem('https://shop.example.com/hooks', strict)).toBeNull();
    expect(endpointUrlProblem('https://93.184.216.34/hooks', strict)).toBeNull();
  });

  it.each([
    ['http://shop.example.com/hooks', 'https_required', 'must be https in production'],
    ['ftp://shop.example.com/x', 'scheme', 'must be http or https'],
    ['https://user:pw@shop.example.com/', 'credentials', 'must not carry credentials (the signature authenticates deliveries)'],
    ['not a url', 'not_a_url', 'is not a URL'],
    ['https://localhost/hooks', 'private_address', 'localhost is a loopback name (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://127.0.0.1/hooks', 'private_address', '127.0.0.1 is a loopback address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://10.1.2.3/hooks', 'private_address', '10.1.2.3 is a private address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://169.254.169.254/latest/meta-data', 'private_address', '169.254.169.254 is a linkLocal address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://[::1]/hooks', 'private_address', '::1 is a loopback address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
    ['https://[::ffff:192.168.0.1]/hooks', 'private_address', '192.168.0.1 is a private address (WEBHOOKS_ALLOW_PRIVATE=true allows it)'],
  ])('refuses %s (%s): %s', (url, reason, message) => {
    expect(endpointUrlProblem(url, strict)).toEqual({ reason, message });
  });

  it('allows loopback over plain http only when private targets are allowed (tests, local development)', () => {
    expect(endpointUrlProblem('http://127.0.0.1:9000/hooks', { isProduction: true, allowPrivate: true })).toBeNull();
    expect(endpointUrlProblem('http://10.0.0.5/hooks', { isProduction: true, allowPrivate: true })?.reason).toBe('https_required');
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
