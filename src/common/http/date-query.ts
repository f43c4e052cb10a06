import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDate, IsOptional, MaxDate, MinDate } from 'class-validator';

/** The range a date filter accepts: every stored time falls in it, and PostgreSQL can compare each end. */
const EARLIEST = new Date('1970-01-01T00:00:00Z');
export const LATEST_DATE = new Date('9999-12-31T23:59:59Z');

/** An optional ISO-8601 date-time query parameter, refused with its name when unreadable or out of range. */
export const DateQuery = (name: string, description: string) => {
  const message = `${name} must be an ISO-8601 date-time between 1970-01-01 and 9999-12-31`;
  return applyDecorators(
    ApiPropertyOptional({ format: 'date-time', description }),
    IsOptional(),
    Type(() => Date),
    IsDate({ message }),
    MinDate(EARLIEST, { message }),
    MaxDate(LATEST_DATE, { message }),
  );
};
