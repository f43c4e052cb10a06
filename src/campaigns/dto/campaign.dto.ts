import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { Type } from 'class-transformer';
import {
  IsDate,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxDate,
  MaxLength,
  Min,
  MinDate,
  ValidateBy,
  ValidationOptions,
} from 'class-validator';
import { Trim } from '../../common/http/trim.decorator';
import { IsDecimalString } from '../../common/money/is-decimal-string.validator';
import { CAMPAIGN_STATUSES, CampaignStatus } from '../campaign-lifecycle';
import { RuleArgs } from '../rules/campaign-rule';
import { actionProblems, conditionProblems } from '../rules/index';
import { Stacking } from '../rules/offers';

const STACKINGS: readonly Stacking[] = ['exclusive', 'stackable'];
const DECIMAL_PATTERN = '^\\d+(\\.\\d{1,8})?$';
const MONEY: SchemaObject = { type: 'string', pattern: DECIMAL_PATTERN, maxLength: 21 };
const EARLIEST = new Date('1970-01-01T00:00:00Z');
const LATEST = new Date('9999-12-31T23:59:59Z');
const dateMessage = (name: string) => ({ message: `${name} must be an ISO-8601 date-time between 1970-01-01 and 9999-12-31` });

/** A campaign's rules judged by their own types (src/campaigns/rules): each problem is one message of the 400. */
const RulesValid = (problems: (value: unknown) => string[], options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'campaignRules',
      validator: {
        validate: (value) => problems(value).length === 0,
        defaultMessage: (args) => problems(args?.value).join('; '),
      },
    },
    options,
  );

const CONDITION_SCHEMA: SchemaObject = {
  oneOf: [
    { type: 'object', required: ['type', 'cny'], properties: { type: { enum: ['min_amount'] }, cny: { ...MONEY, example: '100.00' } } },
    { type: 'object', required: ['type', 'hours'], properties: { type: { enum: ['registered_within'] }, hours: { type: 'integer', minimum: 1 } } },
    { type: 'object', required: ['type', 'at'], properties: { type: { enum: ['registered_before'] }, at: { type: 'string', format: 'date-time', maxLength: 40 } } },
    { type: 'object', required: ['type'], properties: { type: { enum: ['first_paid_order'] } } },
  ],
};
const PERCENT: SchemaObject = { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 100 };
const ACTION_SCHEMA: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      required: ['type', 'percent'],
      properties: { type: { enum: ['percent_bonus'] }, percent: PERCENT, capUsd: { ...MONEY, example: '10.00' } },
    },
    {
      type: 'object',
      required: ['type', 'tiers'],
      properties: {
        type: { enum: ['tiered_percent_bonus'] },
        tiers: {
          type: 'array',
          items: { type: 'object', required: ['withinHours', 'percent'], properties: { withinHours: { type: 'integer', minimum: 1 }, percent: PERCENT } },
        },
        capUsd: MONEY,
      },
    },
    { type: 'object', required: ['type', 'usd'], properties: { type: { enum: ['fixed_bonus'] }, usd: { ...MONEY, example: '2.00' } } },
  ],
};

/** A campaign that applies to an order, with its bonus. */
export class CampaignOfferDto {
  @ApiProperty({ example: '1' }) id: string;
  @ApiProperty({ example: 'New-user bonus' }) name: string;
  @ApiProperty({ example: '4.16666667', description: 'USD' }) bonusUsd: string;
}

export class OffersQueryDto {
  @ApiProperty({ example: '100.00', description: 'CNY, a decimal string with at most 2 decimals', pattern: '^\\d+(\\.\\d{1,2})?$', maxLength: 64 })
  @IsDecimalString({ scale: 2, min: '0.01' })
  amountCny: string;
}

/** What an order of this amount created now would get. */
export class OffersDto {
  @ApiProperty({ example: '100.00' }) amountCny: string;
  @ApiProperty({ example: '13.88888889', description: 'USD the payment credits' }) amountUsd: string;
  @ApiProperty({ example: '4.16666667', description: 'USD of all the bonuses together' }) bonusUsd: string;
  @ApiProperty({ type: [CampaignOfferDto] }) campaigns: CampaignOfferDto[];
}

export class CampaignDto {
  @ApiProperty({ example: '2' }) id: string;
  @ApiProperty({ example: 'Spring festival: 10 % more from ¥100' }) name: string;
  @ApiProperty({ enum: CAMPAIGN_STATUSES, enumName: 'CampaignStatus' }) status: CampaignStatus;
  @ApiProperty({ description: 'Higher first: breaks a tie between exclusive campaigns of equal bonus' }) priority: number;
  @ApiProperty({ enum: STACKINGS, description: 'exclusive: of the exclusive campaigns that apply, the largest bonus wins; stackable: added on top' })
  stacking: Stacking;
  @ApiProperty({ format: 'date-time' }) startsAt: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) endsAt: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'USD; null: no cap' }) budgetUsd: string | null;
  @ApiProperty({ nullable: true, type: Number, description: 'Bonuses per user; null: no cap' }) perUserLimit: number | null;
  @ApiProperty({ type: 'array', items: CONDITION_SCHEMA, description: 'All must hold' }) conditions: RuleArgs[];
  @ApiProperty({ oneOf: ACTION_SCHEMA.oneOf }) action: RuleArgs;
  @ApiProperty({ example: '12.50000000', description: 'USD paid out in bonuses' }) spentUsd: string;
  @ApiProperty({ description: 'Orders that got its bonus' }) orders: number;
  @ApiProperty({ description: 'Users who got its bonus' }) users: number;
  @ApiProperty({ description: 'The seeded new-user bonus: its rules are the promotion configuration, not editable here' }) seeded: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class CreateCampaignDto {
  @ApiProperty({ maxLength: 100, example: 'Recharge ¥100, get 10 % more' })
  @Trim()
  @IsString()
  @IsNotEmpty({ message: 'name must not be empty' })
  @MaxLength(100)
  name: string;

  @ApiPropertyOptional({ default: 0, minimum: -1000, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(-1000)
  @Max(1000)
  priority?: number;

  @ApiProperty({ enum: STACKINGS })
  @IsIn(STACKINGS, { message: `stacking must be one of: ${STACKINGS.join(', ')}` })
  stacking: Stacking;

  @ApiProperty({ format: 'date-time' })
  @Type(() => Date)
  @IsDate(dateMessage('startsAt'))
  @MinDate(EARLIEST, dateMessage('startsAt'))
  @MaxDate(LATEST, dateMessage('startsAt'))
  startsAt: Date;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String, description: 'null or left out: no end' })
  @IsOptional()
  @Type(() => Date)
  @IsDate(dateMessage('endsAt'))
  @MinDate(EARLIEST, dateMessage('endsAt'))
  @MaxDate(LATEST, dateMessage('endsAt'))
  endsAt?: Date | null;

  @ApiPropertyOptional({ nullable: true, type: String, example: '500.00', description: 'USD; null or left out: no cap', pattern: DECIMAL_PATTERN, maxLength: 64 })
  @IsOptional()
  @IsDecimalString({ scale: 8, min: '0', max: '1000000000' })
  budgetUsd?: string | null;

  @ApiPropertyOptional({ nullable: true, type: Number, minimum: 1, description: 'Bonuses per user; null or left out: no cap' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  perUserLimit?: number | null;

  @ApiProperty({ type: 'array', items: CONDITION_SCHEMA })
  @RulesValid(conditionProblems)
  conditions: RuleArgs[];

  @ApiProperty({ oneOf: ACTION_SCHEMA.oneOf })
  @RulesValid(actionProblems)
  action: RuleArgs;
}

/** Any of a scheduled campaign's fields; what is left out stays. */
export class UpdateCampaignDto extends PartialType(CreateCampaignDto) {}
