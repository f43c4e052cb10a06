import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { returning } from '../common/database/returning';
import { ApiKeyRow, ApiKeyScope } from './api-key';

const COLUMNS = `id, name, prefix, scopes, created_by AS "createdBy", created_at AS "createdAt", last_used_at AS "lastUsedAt", revoked_at AS "revokedAt"`;

/** The owner of `api_keys`. Keys are stored as their SHA-256 only. */
@Injectable()
export class ApiKeysRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(em: EntityManager, key: { name: string; prefix: string; hash: string; scopes: ApiKeyScope[]; createdBy: string }): Promise<ApiKeyRow> {
    const [row] = await em.query(
      `INSERT INTO api_keys (name, prefix, key_hash, scopes, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [key.name, key.prefix, key.hash, key.scopes, key.createdBy],
    );
    return row;
  }

  async list(): Promise<ApiKeyRow[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM api_keys ORDER BY id DESC`);
  }

  /** A key that is not revoked, by its hash. */
  async findActiveByHash(hash: string): Promise<ApiKeyRow | null> {
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL`, [hash]);
    return row ?? null;
  }

  /** Revokes once; null when there is no such key. */
  async revoke(em: EntityManager, id: string): Promise<ApiKeyRow | null> {
    const [row] = await returning<ApiKeyRow>(
      em,
      `UPDATE api_keys SET revoked_at = coalesce(revoked_at, NOW()) WHERE id = $1 RETURNING ${COLUMNS}`,
      [id],
    );
    return row ?? null;
  }

  async touch(id: string): Promise<void> {
    await this.dataSource.query(`UPDATE api_keys SET last_used_at = NOW() WHERE id = $1`, [id]);
  }
}
