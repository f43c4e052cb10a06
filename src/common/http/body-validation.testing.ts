import { ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import * as classValidator from 'class-validator';
import fc from 'fast-check';
import { BodyValidationPipe, VALIDATION_OPTIONS } from './body-validation.pipe';

/*
 * For the specs of @FastBody DTOs: the compiled path must give every body the
 * answer class-validator gives, and must be the path a typical body takes.
 */

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
    'apay', 'card_gateway', 'Apay', 'a', 'alipay', 'wxpay', 'card', 'a_b', '_a', 'a-b', 'x'.repeat(20), 'x'.repeat(21), 'x'.repeat(50), 'x'.repeat(51),
    'redirect', 'qrcode', 'QRCODE',
    'gpt-4o: 1,234 tokens', ' padded ', 'two\nlines', '\u00a0nbsp\u00a0', '漢字の説明', '😀'.repeat(200), '😀'.repeat(201), 'y'.repeat(200), 'y'.repeat(201),
  ),
  fc.string({ maxLength: 30 }),
  fc.stringMatching(/^\d{1,20}(\.\d{0,10})?$/),
);

const bodyOf = (keys: readonly string[]) =>
  fc.dictionary(fc.constantFrom(...keys, 'metadata', 'extra', 'constructor'), tricky, { maxKeys: keys.length + 2 });

/** Generated bodies, and a typical body with each field replaced by each tricky value, get the same answer from both paths. */
export async function expectSameAnswersAsClassValidator(metatype: ArgumentMetadata['metatype'], keys: readonly string[], typical: object): Promise<void> {
  await fc.assert(
    fc.asyncProperty(bodyOf(keys), async (body) => {
      expect(await outcome(fast, body, metatype)).toEqual(await outcome(reference, body, metatype));
    }),
    { numRuns: 3000 },
  );
  for (const key of keys) {
    await fc.assert(
      fc.asyncProperty(tricky, async (value) => {
        const body = { ...typical, [key]: value };
        expect(await outcome(fast, body, metatype)).toEqual(await outcome(reference, body, metatype));
      }),
      { numRuns: 300 },
    );
  }
}

/** A typical body takes the compiled path (class-validator is not called); one with an unknown key does not. */
export async function expectCompiledPathFor(metatype: ArgumentMetadata['metatype'], typical: object): Promise<void> {
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
}
