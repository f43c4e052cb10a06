import { Transform, Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsString,
  IsUrl,
  Max,
  Min,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { validateCronExpression } from 'cron';
import { IsDecimalString } from '../money/is-decimal-string.validator';
import { IsIncreasingBy } from './is-increasing-by.validator';
import { SectionSettings } from './config-section';

/**
 * The typed configuration. Built once at boot by `loadConfig` from
 * config/default.yaml, config/<NODE_ENV>.yaml and environment variables, then
 * validated; code reads this object and never `process.env`.
 *
 * Property names are the camelCase forms of the YAML keys
 * (`payment.exchange_rate` → `payment.exchangeRate`).
 */

/** YAML numbers and env strings become decimal strings for money fields. */
export const asDecimalString = () => Transform(({ value }) => (typeof value === 'number' ? String(value) : value));

/** 'true'/'false'/'1'/'0' from the environment become booleans; anything else is left for the validator to reject. */
export const asBoolean = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    return value;
  });

export const asInt = () =>
  Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));

export const URL_OPTIONS = { require_tld: false, require_protocol: true, protocols: ['http', 'https'] };

/** TRUST_PROXY in Fastify's forms: false, true, a hop count, or a comma-separated list of addresses and CIDRs. */
export type TrustProxy = boolean | number | string[];

const asTrustProxy = () =>
  Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const v = value.trim().toLowerCase();
    if (v === '' || v === 'false') return false;
    if (v === 'true') return true;
    if (/^\d+$/.test(v)) return Number(v);
    return v.split(',').map((s) => s.trim()).filter(Boolean);
  });

const ADDRESS_OR_CIDR = /^(?:(?:\d{1,3}\.){3}\d{1,3}|[0-9a-f:]+)(?:\/\d{1,3})?$|^(?:loopback|linklocal|uniquelocal)$/i;

const IsTrustProxy = () =>
  ValidateBy({
    name: 'isTrustProxy',
    validator: {
      validate: (value: unknown) =>
        typeof value === 'boolean' ||
        (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10) ||
        (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && ADDRESS_OR_CIDR.test(v))),
      defaultMessage: () => 'must be false, a hop count (0-10), or a comma-separated list of addresses/CIDRs',
    },
  });

export class AppSection {
  @asInt() @IsInt() @Min(1) @Max(65535) port: number;
  /** Empty: http://localhost:<port>. */
  @ValidateIf((o: AppSection) => o.publicBaseUrl !== '')
  @IsUrl(URL_OPTIONS)
  publicBaseUrl: string;
  @IsArray() @IsString({ each: true }) corsOrigins: string[];
  /** Whose X-Forwarded-For to believe for the client IP; never every header unless set to true on purpose. */
  @asTrustProxy() @IsTrustProxy() trustProxy: TrustProxy;
  @asBoolean() @IsBoolean() serveFrontend: boolean;
}

export class EmbeddedDatabaseSection {
  @IsString() @MinLength(1) dataDir: string;
  @asInt() @IsInt() @Min(1) @Max(65535) port: number;
}

export class DatabaseSection {
  @IsString() url: string;
  @ValidateNested() @Type(() => EmbeddedDatabaseSection) embedded: EmbeddedDatabaseSection;
  @asInt() @IsInt() @Min(1) @Max(500) poolSize: number;
  @asBoolean() @IsBoolean() migrateOnStart: boolean;
}

export class RedisSection {
  @IsString() url: string;
  @IsString() keyPrefix: string;
}

export class AuthSection {
  @IsString() jwtSecret: string;
  @asInt() @IsInt() @Min(60) jwtTtlSeconds: number;
  // bcrypt below cost 10 is too cheap to guess against.
  @asInt() @IsInt() @Min(10) @Max(15) bcryptCost: number;
  @IsString() adminEmail: string;
  @IsString() adminPassword: string;
}

export class RateLimitSection {
  @asInt() @IsInt() @Min(1) globalPerMinute: number;
  @asInt() @IsInt() @Min(1) authPerMinute: number;
  /** Failed logins per account within login_failure_window_minutes before the account's logins are refused for the rest of it. */
  @asInt() @IsInt() @Min(1) loginFailuresPerAccount: number;
  @asInt() @IsInt() @Min(1) loginFailureWindowMinutes: number;
  /** Wrong redeem codes per user, and per IP, within redeem_failure_window_minutes before redeeming is refused for the rest of it. */
  @asInt() @IsInt() @Min(1) redeemFailures: number;
  @asInt() @IsInt() @Min(1) redeemFailureWindowMinutes: number;
}

export class LogSection {
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) level: string;
  @asBoolean() @IsBoolean() pretty: boolean;
}

export class MetricsSection {
  /** Bearer token for GET /metrics; empty: open (outside production only). */
  @IsString() token: string;
}

const IsCronExpression = () =>
  ValidateBy({
    name: 'isCronExpression',
    validator: {
      validate: (value: unknown) => typeof value === 'string' && validateCronExpression(value).valid,
      defaultMessage: () => 'must be a cron expression with seconds, e.g. "0 */5 * * * *"',
    },
  });

/** Spending the balance through /api/v1. */
export class SpendSection {
  /** Each API key's limit; the per-IP limits meant for browsers do not apply to /api/v1. */
  @asInt() @IsInt() @Min(1) requestsPerMinutePerKey: number;
  /** A hold created without expiresInSeconds lasts this long. */
  @asInt() @IsInt() @Min(1) holdDefaultSeconds: number;
  /** The longest a hold may last. */
  @asInt() @IsInt() @Min(1) holdMaxSeconds: number;
}

/** Idempotency-Key on money-moving POSTs. */
export class IdempotencySection {
  /**
   * How long a claimed key stays the claiming request's: past it, a key still
   * in_progress (its process died mid-flight) is taken over by a retry.
   */
  @asInt() @IsInt() @Min(1) @Max(3600) leaseSeconds: number;
}

/** When each scheduled job runs (cron with seconds, in the server's time zone). */
export class JobsSection {
  @IsCronExpression() expireOrders: string;
  @IsCronExpression() reconcileOrders: string;
  @IsCronExpression() expirePromotions: string;
  @IsCronExpression() expireHolds: string;
  @IsCronExpression() auditLedger: string;
  @IsCronExpression() purgeIdempotencyKeys: string;
}

export class PromotionTier {
  @asInt() @IsInt() @Min(1) hours: number;
  @asInt() @IsInt() @Min(0) @Max(100) percent: number;
}

export class PromotionSection {
  @asBoolean() @IsBoolean() enabled: boolean;
  @asInt() @IsInt() @Min(1) durationHours: number;
  @asDecimalString() @IsDecimalString({ scale: 2, min: '0' }) minAmount: string;
  @IsArray()
  @ArrayMinSize(1)
  @ValidateNested({ each: true })
  @Type(() => PromotionTier)
  @IsIncreasingBy('hours', { message: 'tiers must be strictly increasing in hours' })
  tiers: PromotionTier[];
  /** A payment reported this long after its order expired still earns the bonus; a later one gets its money only. */
  @asInt() @IsInt() @Min(0) lateGraceMinutes: number;
}

export class ReferralSection {
  @asBoolean() @IsBoolean() enabled: boolean;
  @asInt() @IsInt() @Min(6) @Max(20) codeLength: number;
  @asDecimalString() @IsDecimalString({ scale: 8, min: '0' }) rewardUsd: string;
  @asDecimalString() @IsDecimalString({ scale: 2, min: '0' }) qualifiedRechargeCny: string;
  @asInt() @IsInt() @Min(0) maxInviteesPerUser: number;
  /** Reward invites whose invitee registered from the referrer's own address (farming, usually). */
  @asBoolean() @IsBoolean() rewardSameIp: boolean;
  @ValidateIf((o: ReferralSection) => o.linkBaseUrl !== '')
  @IsUrl(URL_OPTIONS)
  linkBaseUrl: string;
}

export class PaymentPackage {
  @asDecimalString() @IsDecimalString({ scale: 2, min: '0.01' }) amountCny: string;
  @asBoolean() @IsBoolean() popular: boolean;
}

export class PaymentSection {
  @asBoolean() @IsBoolean() enabled: boolean;
  @asDecimalString() @IsDecimalString({ scale: 4, min: '0', exclusiveMin: true }) exchangeRate: string;
  @asDecimalString() @IsDecimalString({ scale: 4, min: '0', exclusiveMin: true }) discountRate: string;
  @asDecimalString() @IsDecimalString({ scale: 2, min: '0.01' }) minAmount: string;
  @asDecimalString() @IsDecimalString({ scale: 2, min: '0.01' }) maxAmount: string;
  @asInt() @IsInt() @Min(1) orderExpireMinutes: number;
  @asInt() @IsInt() @Min(1) maxOrdersPerMinute: number;
  @asInt() @IsInt() @Min(1) maxPendingOrders: number;
  /** Unpaid orders created this many hours back are still asked about by reconciliation. */
  @asInt() @IsInt() @Min(1) @Max(24 * 30) reconcileWindowHours: number;
  /** Reconciliation never asks the gateways faster than this. */
  @asInt() @IsInt() @Min(1) @Max(1000) reconcileQueriesPerSecond: number;
  /** A refund whose gateway call may still be in flight is asked about again only after this long without news. */
  @asInt() @IsInt() @Min(1) refundResumeAfterSeconds: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => PaymentPackage) packages: PaymentPackage[];
}

export class AppConfig {
  /** NODE_ENV, defaulting to development. */
  @IsString() env: string;
  /** The repository root: relative paths in config resolve against it. */
  @IsString() rootDir: string;
  @ValidateNested() @Type(() => AppSection) app: AppSection;
  @ValidateNested() @Type(() => DatabaseSection) database: DatabaseSection;
  @ValidateNested() @Type(() => RedisSection) redis: RedisSection;
  @ValidateNested() @Type(() => AuthSection) auth: AuthSection;
  @ValidateNested() @Type(() => RateLimitSection) rateLimit: RateLimitSection;
  @ValidateNested() @Type(() => LogSection) log: LogSection;
  @ValidateNested() @Type(() => MetricsSection) metrics: MetricsSection;
  @ValidateNested() @Type(() => PromotionSection) promotion: PromotionSection;
  @ValidateNested() @Type(() => ReferralSection) referral: ReferralSection;
  @ValidateNested() @Type(() => PaymentSection) payment: PaymentSection;
  @ValidateNested() @Type(() => SpendSection) spend: SpendSection;
  @ValidateNested() @Type(() => IdempotencySection) idempotency: IdempotencySection;
  @ValidateNested() @Type(() => JobsSection) jobs: JobsSection;

  /** The blocks features brought (see ConfigSection), validated, by schema. */
  private sections = new Map<Function, SectionSettings>();

  get isProduction(): boolean {
    return this.env === 'production';
  }

  /** A feature's validated block; loadConfig must have been given its section. */
  section<T extends SectionSettings>(schema: new () => T): T {
    const settings = this.sections.get(schema);
    if (!settings) throw new Error(`config: the section ${schema.name} was not loaded (loadConfig was not given it)`);
    return settings as T;
  }

  useSections(sections: Map<Function, SectionSettings>): void {
    this.sections = sections;
  }
}
