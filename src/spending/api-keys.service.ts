import { createHash, randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApiKeyRow, ApiKeyScope } from './api-key';
import { ApiKeysRepository } from './api-keys.repository';
import { SpendingException } from './spending.errors';

/** The part of an API key that authenticates a service call. */
export interface ApiKeyCaller {
  id: string;
  scopes: ApiKeyScope[];
}

const KEY_PREFIX = 'rk_';
/** Recently authenticated keys are trusted this long without a lookup; a revocation reaches other instances within it. */
const CACHE_MS = 10_000;
/** last_used_at is written at most this often per key, not on every call. */
const TOUCH_EVERY_MS = 60_000;

const hashOf = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * API keys for the product's other services. A key is 32 random bytes,
 * shown once; only its SHA-256 is kept (the key is random, so a fast hash
 * is enough and lets every call be checked without bcrypt's cost).
 */
@Injectable()
export class ApiKeysService {
  private readonly logger = new Logger('ApiKeys');
  private readonly cache = new Map<string, { caller: ApiKeyCaller; until: number }>();
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly keys: ApiKeysRepository) {}

  /** A new key, in the caller's transaction; the key itself is in this answer only. */
  async create(em: EntityManager, name: string, scopes: ApiKeyScope[], adminId: string): Promise<{ key: string; row: ApiKeyRow }> {
    const key = KEY_PREFIX + randomBytes(32).toString('base64url');
    const row = await this.keys.insert(em, { name, prefix: key.slice(0, 10), hash: hashOf(key), scopes: [...new Set(scopes)], createdBy: adminId });
    return { key, row };
  }

  list(): Promise<ApiKeyRow[]> {
    return this.keys.list();
  }

  /** Revokes in the caller's transaction; this instance stops accepting the key at once, others within CACHE_MS. */
  async revoke(em: EntityManager, id: string): Promise<ApiKeyRow> {
    const row = await this.keys.revoke(em, id);
    if (!row) throw SpendingException.apiKeyNotFound(id);
    for (const [hash, entry] of this.cache) if (entry.caller.id === id) this.cache.delete(hash);
    return row;
  }

  /** The caller behind `Authorization: Bearer rk_…`; throws 401 for anything else. */
  async authenticate(key: string): Promise<ApiKeyCaller> {
    if (!key.startsWith(KEY_PREFIX) || key.length > 100) throw SpendingException.apiKeyInvalid();
    const hash = hashOf(key);
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.caller;
    const row = await this.keys.findActiveByHash(hash);
    if (!row) {
      this.cache.delete(hash);
      throw SpendingException.apiKeyInvalid();
    }
    const caller = { id: row.id, scopes: row.scopes };
    this.cache.set(hash, { caller, until: now + CACHE_MS });
    if (now - (this.touchedAt.get(row.id) ?? 0) > TOUCH_EVERY_MS) {
      this.touchedAt.set(row.id, now);
      this.keys.touch(row.id).catch((error) => this.logger.warn({ err: error }, 'recording an API key’s last use failed'));
    }
    return caller;
  }
}
