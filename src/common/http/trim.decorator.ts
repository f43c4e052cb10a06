import { Transform } from 'class-transformer';

/** Trims a string field before validation; other values pass through for the validators to refuse. */
export const Trim = () => Transform(({ value }) => (typeof value === 'string' ? value.trim() : value));
