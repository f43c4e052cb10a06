import { ValidateBy, ValidationOptions } from 'class-validator';

/** The array's items are strictly increasing in `key` (promotion tiers by hours). */
export function IsIncreasingBy(key: string, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIncreasingBy',
      constraints: [key],
      validator: {
        validate: (items: unknown) =>
          Array.isArray(items) &&
          items.every((item, i) => i === 0 || Number(item?.[key]) > Number(items[i - 1]?.[key])),
      },
    },
    options,
  );
}
