import { ValidateBy, ValidationOptions, buildMessage } from 'class-validator';
import { Money, columnLimit, decimalPlaces, isDecimalString } from './money';

export interface DecimalStringRule {
  /** Most digits allowed after the point. */
  scale: number;
  /** Smallest allowed value (inclusive unless `exclusiveMin`). */
  min?: string;
  exclusiveMin?: boolean;
  /** Largest allowed value (inclusive). Defaults to what NUMERIC(20, scale) holds. */
  max?: string;
}

/** Why `value` breaks `rule`, or null when it does not. Shared by DTOs and config. */
export function decimalStringProblem(value: unknown, rule: DecimalStringRule): string | null {
  if (!isDecimalString(value)) return 'must be a decimal number written as a string, like "20.00"';
  if (decimalPlaces(value) > rule.scale) return `must have at most ${rule.scale} decimal places`;
  const amount = new Money(value);
  if (rule.min !== undefined) {
    if (rule.exclusiveMin ? amount.lte(rule.min) : amount.lt(rule.min)) {
      return `must be ${rule.exclusiveMin ? 'greater than' : 'at least'} ${rule.min}`;
    }
  }
  if (rule.max !== undefined ? amount.gt(rule.max) : amount.abs().gte(columnLimit(rule.scale))) {
    return rule.max !== undefined ? `must be at most ${rule.max}` : 'is too large';
  }
  return null;
}

/** class-validator decorator for decimal-string money fields. */
export function IsDecimalString(rule: DecimalStringRule, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isDecimalString',
      constraints: [rule],
      validator: {
        validate: (value) => decimalStringProblem(value, rule) === null,
        defaultMessage: buildMessage(
          (prefix, args) => `${prefix}$property ${decimalStringProblem(args?.value, rule) ?? 'is invalid'}`,
          options,
        ),
      },
    },
    options,
  );
}
