import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DateQuery } from './date-query';

export const MAX_PAGE_SIZE = 100;

/** `?page=1&pageSize=20`: every list is paged this way. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @Max(1_000_000)
  @Min(1)
  @IsInt()
  page: number = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @Max(MAX_PAGE_SIZE)
  @Min(1)
  @IsInt()
  pageSize: number = 20;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

/** Swagger's view of `{items, total, page, pageSize}`; subclasses name the item type. */
export abstract class PageDto {
  @ApiProperty({ example: 42 }) total: number;
  @ApiProperty({ example: 1 }) page: number;
  @ApiProperty({ example: 20 }) pageSize: number;
}

export function pageOf<T>(items: T[], total: number, query: PageQueryDto): Page<T> {
  return { items, total, page: query.page, pageSize: query.pageSize };
}

/** `?from=…&to=…`: a half-open creation-time window [from, to). */
export class DateRangeQueryDto {
  @DateQuery('from', 'At or after this time')
  from?: Date;

  @DateQuery('to', 'Before this time')
  to?: Date;
}
