import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import * as classValidator from 'class-validator';
import fc from 'fast-check';
import { CreateOrderDto } from '../../payments/dto/order.dto';
import { CreateChargeDto } from '../../spending/dto/spending.dto';
import { BodyValidationPipe, VALIDATION_OPTIONS } from './body-validation.pipe';

const fast = new BodyValidationPipe(VALIDATION_OPTIONS);
const reference = new ValidationPipe(VALIDATION_OPTIONS);

type Outcome = { accepted: unknown; type: string } | { refused: unknown };

async function outcome(pipe: ValidationPipe, body: unknown, metatype: ArgumentMetadata['metatype']): Promise<Outcome> {
  try {
    const value = await pipe.transform(structuredClone(body), { type: 'body', metatype });
    return { accepted: { ...(value as object) }, type: (value as object).constructor.name };
  } catch (error) {
    if (!(error instanceof BadRequestException)) throw error;
    return { refused: error.getResponse() };
  }
}

/** Values that sit on either side of some rule: types, blanks, bounds, scales, unicode, lengths. */
const tricky = fc.oneof(
  fc.constantFrom<unknown>(
    undefined, null, 0, 1, 20, true, [], {}, ['20.00'], { a: 1 },
    '', ' ', '0', '0.0', '0.00', '0.01', '0.001', '00.01', '1', '20', '20.0', '20.00', '20.000', '-1', '-0.01', '+1', '1e3', '1.', '.5',
    ' 20.00', '20.00 ', '999999999999999.99', '9999999999999999', '1000000', '999999.99999999', '1000000.00000001', '0.00000001', '0.000000001',
    '42', '042', '9223372036854775807', '9223372036854775808', '999999999999999999', '1000000000000000000',
    'sandbox', 'zpay', 'stripe', 'Sandbox', 'a', 'alipay', 'wxpay', 'card', 'a_b', '_a', 'a-b', 'x'.repeat(20), 'x'.repeat(21), 'x'.repeat(50), 'x'.repeat(51),
    'redirect', 'qrcode', 'QRCODE',
    'gpt-4o: 1,234 tokens', ' padded ', 'two\nlines', '\u00a0nbsp\u00a0', '漢字の説明', '😀'.repeat(200), '😀'.repeat(201), 'y'.repeat(200), 'y'.repeat(201),
  ),
  fc.string({ maxLength: 30 }),
  fc.stringMatching(/^\d{1,20}(\.\d{0,10})?$/),
);

const bodyOf = (keys: readonly string[]) =>
  fc.dictionary(fc.constantFrom(...keys, 'metadata', 'extra', 'constructor'), tricky, { maxKeys: keys.length + 2 });

describe('BodyValidationPipe', () => {
  const cases: [string, ArgumentMetadata['metatype'], readonly string[], object][] = [
    ['CreateOrderDto', CreateOrderDto, ['amountCny', 'provider', 'method', 'display'], { amountCny: '20.00', provider: 'sandbox', method: 'alipay' }],
    ['CreateChargeDto', CreateChargeDto, ['userId', 'amountUsd', 'description'], { userId: '42', amountUsd: '0.25', description: 'gpt-4o: 1,234 tokens' }],
  ];

  it.each(cases)('%s: every body gets the answer class-validator gives (same instance fields, or the same 400)', async (_, metatype, keys, typical) => {
    await fc.assert(
      fc.asyncProperty(bodyOf(keys), async (body) => {
        expect(await outcome(fast, body, metatype)).toEqual(await outcome(reference, body, metatype));
      }),
      { numRuns: 3000 },
    );
    // A typical body with each field replaced by each tricky value in turn.
    for (const key of keys) {
      await fc.assert(
        fc.asyncProperty(tricky, async (value) => {
          const body = { ...typical, [key]: value };
          expect(await outcome(fast, body, metatype)).toEqual(await outcome(reference, body, metatype));
        }),
        { numRuns: 300 },
      );
    }
  });

  it.each(cases)('%s: a typical body takes the compiled path, without class-validator', async (_, metatype, __, typical) => {
    const validate = jest.spyOn(classValidator, 'validate');
    try {
      const value = await fast.transform(structuredClone(typical), { type: 'body', metatype });
      expect(value).toBeInstanceOf(metatype as new () => object);
      expect({ ...(value as object) }).toEqual(typical);
      expect(validate).not.toHaveBeenCalled();
      await expect(fast.transform({ ...typical, extra: 1 }, { type: 'body', metatype })).rejects.toThrow(BadRequestException);
      expect(validate).toHaveBeenCalledTimes(1);
    } finally {
      validate.mockRestore();
    }
  });

  it('leaves queries and parameters to class-validator', async () => {
    const validate = jest.spyOn(classValidator, 'validate');
    try {
      await fast.transform({ amountCny: '20.00', provider: 'sandbox', method: 'alipay' }, { type: 'query', metatype: CreateOrderDto });
      expect(validate).toHaveBeenCalledTimes(1);
    } finally {
      validate.mockRestore();
    }
  });
});
