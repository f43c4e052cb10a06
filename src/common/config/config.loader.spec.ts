import 'reflect-metadata';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IsBoolean, IsInt, IsString, Min } from 'class-validator';
import { asBoolean, asInt } from './app-config';
import { SectionContext, SectionSettings } from './config-section';
import { ConfigError, findRootDir, loadConfig } from './config.loader';

const load = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'unit', ...env });

describe('loadConfig', () => {
  it('reads the documented defaults into a typed object', () => {
    const config = load({});
    expect(config.payment.exchangeRate).toBe('7.2');
    expect(config.payment.maxOrdersPerMinute).toBe(3);
    expect(config.promotion.tiers.map((t) => [t.hours, t.percent])).toEqual([
      [24, 30],
      [36, 20],
      [48, 10],
      [72, 5],
    ]);
    expect(config.referral.rewardUsd).toBe('10.00');
    expect(config.referral.maxInviteesPerUser).toBe(50);
    expect(config.referral.rewardSameIp).toBe(false);
  });

  it('applies named and generic environment overrides with types', () => {
    const config = load({
      PORT: '4000',
      PROMOTION_ENABLED: 'false',
      PAYMENT_EXCHANGE_RATE: '7.1',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      RECHARGE__PAYMENT__DISCOUNT_RATE: '1.05',
    });
    expect(config.app.port).toBe(4000);
    expect(config.promotion.enabled).toBe(false);
    expect(config.payment.exchangeRate).toBe('7.1');
    expect(config.payment.discountRate).toBe('1.05');
    expect(config.app.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
  });

  it('points public links at its own port unless PUBLIC_BASE_URL says otherwise', () => {
    expect(load({ PORT: '8080' }).app.publicBaseUrl).toBe('http://localhost:8080');
    expect(load({}).app.publicBaseUrl).toBe('http://localhost:3000');
    expect(load({ PORT: '8080', PUBLIC_BASE_URL: 'https://pay.example' }).app.publicBaseUrl).toBe('https://pay.example');
  });

  it.each([
    ['', false],
    ['false', false],
    ['true', true],
    ['1', 1],
    ['10.0.0.0/8, 127.0.0.1', ['10.0.0.0/8', '127.0.0.1']],
  ])('reads TRUST_PROXY=%j as %j', (raw, expected) => {
    expect(load({ TRUST_PROXY: raw }).app.trustProxy).toEqual(expected);
  });

  it.each([
    [{ PAYMENT_EXCHANGE_RATE: '0' }, 'payment.exchange_rate must be greater than 0, got "0" (from PAYMENT_EXCHANGE_RATE)'],
    [{ PAYMENT_EXCHANGE_RATE: 'abc' }, 'payment.exchange_rate must be a decimal number'],
    [{ PORT: 'eighty' }, 'app.port must be an integer number'],
    [{ RECHARGE__PROMOTION__DURATION_HOURS: '48' }, 'promotion.tiers must end within promotion.duration_hours'],
    [{ JWT_SECRET: 'short' }, 'auth.jwt_secret must be at least 32 characters'],
    [{ NODE_ENV: 'production' }, 'auth.jwt_secret is required in production'],
    [{ ADMIN_EMAIL: 'a@b.c' }, 'auth.admin_email and auth.admin_password must be set together'],
    [{ RECHARGE__PAYMENT__MIN_AMOUNT: '20000' }, 'payment.min_amount must not be greater than payment.max_amount'],
    [{ REFERRAL_REWARD_USD: '0' }, 'referral.reward_usd must be greater than 0 while referrals are enabled'],
    [{ TRUST_PROXY: 'everyone' }, 'app.trust_proxy must be false, a hop count'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, 'metrics.token is required in production'],
  ])('rejects %j with one line naming the key', (env, expected) => {
    let error: unknown;
    try {
      load(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain(expected);
    expect((error as Error).message).not.toContain('\n');
  });
});

/** A block a feature brings: read from the same files and environment, validated at boot. */
class WidgetSettings extends SectionSettings {
  @asBoolean() @IsBoolean() enabled: boolean;
  @IsString() secret: string;
  @asInt() @IsInt() @Min(1) size: number;
  /** Filled from the other sections by resolve(). */
  othersEnabled = false;

  override problem({ others }: SectionContext): string | null {
    if (this.secret !== '' && others.some((other) => other.secrets().includes(this.secret))) return 'widget.secret must differ from gadget.secret';
    return null;
  }

  override resolve({ others }: SectionContext): void {
    this.othersEnabled = others.some((other) => other instanceof GadgetSettings && other.enabled);
  }
}

class GadgetSettings extends SectionSettings {
  @asBoolean() @IsBoolean() enabled: boolean;
  @IsString() secret: string;

  override secrets(): string[] {
    return [this.secret];
  }
}

describe('loadConfig with sections', () => {
  const root = mkdtempSync(join(tmpdir(), 'recharge-config-'));
  mkdirSync(join(root, 'config'));
  writeFileSync(join(root, 'config', 'default.yaml'), readFileSync(join(findRootDir(), 'config', 'default.yaml'), 'utf8') + '\nwidget: { enabled: false, secret: "", size: 3 }\ngadget: { enabled: true, secret: "g" }\n');
  const sections = [
    { path: 'widget', schema: WidgetSettings, env: { WIDGET_SIZE: 'size', WIDGET_SECRET: 'secret' } },
    { path: 'gadget', schema: GadgetSettings },
  ];
  const loadWith = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'unit', ...env }, root, sections);

  it('validates each block into its class, with its own environment variables and the generic ones', () => {
    const config = loadWith({ WIDGET_SIZE: '7', RECHARGE__GADGET__ENABLED: 'false' });
    expect(config.section(WidgetSettings)).toBeInstanceOf(WidgetSettings);
    expect(config.section(WidgetSettings).size).toBe(7);
    expect(config.section(GadgetSettings).enabled).toBe(false);
  });

  it('names the key and the variable of a bad value in one line', () => {
    expect(() => loadWith({ WIDGET_SIZE: 'big' })).toThrow(new ConfigError('Invalid configuration: widget.size must be an integer number, got "big" (from WIDGET_SIZE)'));
  });

  it('runs the rules across sections, then resolves defaults from the others', () => {
    expect(() => loadWith({ WIDGET_SECRET: 'g' })).toThrow('widget.secret must differ from gadget.secret');
    expect(loadWith({}).section(WidgetSettings).othersEnabled).toBe(true);
    expect(loadWith({ RECHARGE__GADGET__ENABLED: 'false' }).section(WidgetSettings).othersEnabled).toBe(false);
  });

  it('refuses to hand out a section it was not given', () => {
    expect(() => loadConfig({ NODE_ENV: 'unit' }, root).section(WidgetSettings)).toThrow('the section WidgetSettings was not loaded');
  });
});
