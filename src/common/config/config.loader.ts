import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import { load as parseYaml } from 'js-yaml';
import { AppConfig } from './app-config';
import { ConfigSection, SectionSettings } from './config-section';
import { Money } from '../money/money';

/** A configuration problem, phrased as one line naming the key. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * The environment variables with short names (documented in docs/operations.md), and the key each one sets.
 * A section brought by a feature (a gateway) names its own.
 */
export const ENV_KEYS: Readonly<Record<string, string>> = {
  PORT: 'app.port',
  PUBLIC_BASE_URL: 'app.public_base_url',
  CORS_ORIGINS: 'app.cors_origins',
  TRUST_PROXY: 'app.trust_proxy',
  DATABASE_URL: 'database.url',
  REDIS_URL: 'redis.url',
  JWT_SECRET: 'auth.jwt_secret',
  ADMIN_EMAIL: 'auth.admin_email',
  ADMIN_PASSWORD: 'auth.admin_password',
  LOG_LEVEL: 'log.level',
  METRICS_TOKEN: 'metrics.token',
  PROMOTION_ENABLED: 'promotion.enabled',
  REFERRAL_ENABLED: 'referral.enabled',
  REFERRAL_REWARD_USD: 'referral.reward_usd',
  REFERRAL_REWARD_SAME_IP: 'referral.reward_same_ip',
  PROMOTION_LATE_GRACE_MINUTES: 'promotion.late_grace_minutes',
  PAYMENT_ENABLED: 'payment.enabled',
  PAYMENT_EXCHANGE_RATE: 'payment.exchange_rate',
  PAYMENT_RECONCILE_WINDOW_HOURS: 'payment.reconcile_window_hours',
};

/** Any other key: RECHARGE__PAYMENT__DISCOUNT_RATE=1.05 sets payment.discount_rate. */
const GENERIC_ENV_PREFIX = 'RECHARGE__';

/** Keys whose environment value is a comma-separated list. */
const LIST_KEYS = new Set(['app.cors_origins']);

type Tree = Record<string, unknown>;

export function findRootDir(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'config', 'default.yaml'))) return dir;
    if (dirname(dir) === dir) throw new ConfigError('config: config/default.yaml not found above ' + from);
  }
}

function readYaml(file: string): Tree {
  if (!existsSync(file)) return {};
  try {
    const parsed = parseYaml(readFileSync(file, 'utf8'));
    return (parsed ?? {}) as Tree;
  } catch (error) {
    throw new ConfigError(`config: ${file} is not valid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function deepMerge(base: Tree, overlay: Tree): Tree {
  const out: Tree = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    out[key] = isTree(value) && isTree(out[key]) ? deepMerge(out[key] as Tree, value) : value;
  }
  return out;
}

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    if (!isTree(node[part])) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]] = value;
}

const snakeToCamel = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const camelToSnake = (key: string) => key.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

function camelizeKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelizeKeys);
  if (!isTree(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [snakeToCamel(k), camelizeKeys(v)]));
}

/** Environment overrides as key → raw string, and which variable set each key (for messages). */
function environmentOverrides(env: NodeJS.ProcessEnv, sections: readonly ConfigSection[]): { tree: Tree; source: Map<string, string> } {
  const tree: Tree = {};
  const source = new Map<string, string>();
  const apply = (variable: string, key: string, raw: string) => {
    const value = LIST_KEYS.has(key)
      ? raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : raw;
    setPath(tree, key, value);
    source.set(key, variable);
  };
  for (const [variable, raw] of Object.entries(env)) {
    if (raw === undefined || !variable.startsWith(GENERIC_ENV_PREFIX)) continue;
    apply(variable, variable.slice(GENERIC_ENV_PREFIX.length).toLowerCase().split('__').join('.'), raw);
  }
  const named = [
    ...Object.entries(ENV_KEYS),
    ...sections.flatMap((section) => Object.entries(section.env ?? {}).map(([variable, key]) => [variable, `${section.path}.${key}`])),
  ];
  for (const [variable, key] of named) {
    const raw = env[variable];
    if (raw !== undefined) apply(variable, key, raw);
  }
  return { tree, source };
}

/** When a value breaks several rules, its type is the one worth naming. */
const TYPE_CONSTRAINTS = ['isInt', 'isBoolean', 'isString', 'isArray', 'isDecimalString', 'isUrl', 'isIn'];

/** The first leaf error as `a.b_c: message`. */
function describe(errors: ValidationError[], source: Map<string, string>, prefix = ''): string | null {
  for (const error of errors) {
    const path = prefix + camelToSnake(error.property);
    if (error.constraints) {
      const constraint = TYPE_CONSTRAINTS.find((name) => error.constraints?.[name]) ?? Object.keys(error.constraints)[0];
      const message = error.constraints[constraint].replace(new RegExp(`^(each value in )?${error.property} `), '');
      const from = source.get(path) ? ` (from ${source.get(path)})` : '';
      const shown = typeof error.value === 'object' ? '' : `, got ${JSON.stringify(error.value)}`;
      return `${path} ${message}${shown}${from}`;
    }
    const nested = describe(error.children ?? [], source, path + '.');
    if (nested) return nested;
  }
  return null;
}

/** https, or plain http to this machine (a local stand-in). */
export function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || hostname === 'localhost' || hostname === '127.0.0.1' || hostname === '[::1]';
}

function subtree(tree: Tree, path: string): Tree {
  let node: unknown = tree;
  for (const part of path.split('.')) node = isTree(node) ? node[part] : undefined;
  return isTree(node) ? node : {};
}

/** Validates each section's block on its own, then the rules that look across sections. */
function loadSections(
  merged: Tree,
  sections: readonly ConfigSection[],
  source: Map<string, string>,
  isProduction: boolean,
): { loaded: Map<Function, SectionSettings>; problem: string | null } {
  const loaded = new Map<Function, SectionSettings>();
  for (const section of sections) {
    const settings = plainToInstance(section.schema, camelizeKeys(subtree(merged, section.path)) as Tree);
    const problem = describe(validateSync(settings, { forbidUnknownValues: false }), source, section.path + '.');
    if (problem) return { loaded, problem };
    loaded.set(section.schema, settings);
  }
  const all = [...loaded.values()];
  const contextOf = (settings: SectionSettings) => ({ isProduction, others: all.filter((other) => other !== settings) });
  for (const settings of all) {
    const problem = settings.problem(contextOf(settings));
    if (problem) return { loaded, problem };
  }
  for (const settings of all) settings.resolve(contextOf(settings));
  return { loaded, problem: null };
}

/** Rules that span several keys. */
function crossFieldProblem(config: AppConfig): string | null {
  const { auth, payment } = config;
  if (auth.jwtSecret !== '' && auth.jwtSecret.length < 32) return 'auth.jwt_secret must be at least 32 characters';
  if (config.isProduction && auth.jwtSecret === '') return 'auth.jwt_secret is required in production (JWT_SECRET)';
  if (config.isProduction && config.metrics.token.length < 16)
    return 'metrics.token is required in production, at least 16 characters (METRICS_TOKEN): /metrics shows revenue';
  if ((auth.adminEmail === '') !== (auth.adminPassword === ''))
    return 'auth.admin_email and auth.admin_password must be set together';
  if (auth.adminPassword !== '' && (auth.adminPassword.length < 8 || auth.adminPassword.length > 72))
    return 'auth.admin_password must be 8-72 characters';
  if (new Money(payment.minAmount).gt(payment.maxAmount))
    return 'payment.min_amount must not be greater than payment.max_amount';
  if (config.referral.enabled && !new Money(config.referral.rewardUsd).gt(0))
    return 'referral.reward_usd must be greater than 0 while referrals are enabled (or set REFERRAL_ENABLED=false)';
  const lastTier = config.promotion.tiers[config.promotion.tiers.length - 1];
  if (lastTier && lastTier.hours > config.promotion.durationHours)
    return 'promotion.tiers must end within promotion.duration_hours';
  return null;
}

/**
 * Builds the validated configuration: config/default.yaml, then
 * config/<NODE_ENV>.yaml, then environment variables, with the blocks the
 * features bring (`sections`). Throws a ConfigError whose message is one line
 * naming the offending key.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  rootDir: string = findRootDir(),
  sections: readonly ConfigSection[] = [],
): AppConfig {
  const nodeEnv = env.NODE_ENV || 'development';
  const { tree: envTree, source } = environmentOverrides(env, sections);
  const merged = [readYaml(join(rootDir, 'config', 'default.yaml')), readYaml(join(rootDir, 'config', `${nodeEnv}.yaml`)), envTree].reduce(
    deepMerge,
  );
  const config = plainToInstance(AppConfig, { ...(camelizeKeys(merged) as Tree), env: nodeEnv, rootDir });
  const errors = validateSync(config, { forbidUnknownValues: false });
  const problem = describe(errors, source) ?? crossFieldProblem(config);
  if (problem) throw new ConfigError(`Invalid configuration: ${problem}`);
  const blocks = loadSections(merged, sections, source, config.isProduction);
  if (blocks.problem) throw new ConfigError(`Invalid configuration: ${blocks.problem}`);
  config.useSections(blocks.loaded);
  // Links that gateways and browsers follow reach this process on its own port unless told otherwise.
  config.app.publicBaseUrl ||= `http://localhost:${config.app.port}`;
  config.database.embedded.dataDir = resolve(rootDir, config.database.embedded.dataDir);
  return config;
}
