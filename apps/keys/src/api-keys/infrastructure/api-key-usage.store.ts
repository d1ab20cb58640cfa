import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { qualifiedTable, runSchemaDdl } from '@orgplane/projections';
import { DataSource } from 'typeorm';
import { toMinute } from '@orgplane/keys-domain';
import { KEYS_CONFIG, type KeysConfig } from '../../keys.config';
import { API_KEY_USAGE_TABLE } from './api-key-usage.entity';

/**
 * `lastUsedAt` of API keys, written straight to its table instead of as events: a key may be
 * used thousands of times a second, and its use is not a change of state anyone replays. Every
 * instance of this service receives every report and writes it; the write only ever moves the
 * time forward, so duplicates, and reports arriving out of order, change nothing.
 */
@Injectable()
export class ApiKeyUsageStore implements OnModuleInit {
  private readonly table: string;

  constructor(
    @Inject(KEYS_CONFIG) private readonly config: KeysConfig,
    private readonly dataSource: DataSource,
  ) {
    this.table = qualifiedTable(config.READ_MODEL_SCHEMA, API_KEY_USAGE_TABLE);
  }

  async onModuleInit(): Promise<void> {
    await runSchemaDdl(this.dataSource, this.config.READ_MODEL_SCHEMA, [
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        key_id uuid PRIMARY KEY,
        last_used_at timestamptz NOT NULL
      )`,
    ]);
  }

  async recordUse(keyIds: readonly string[], usedAt: Date): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO ${this.table} AS usage (key_id, last_used_at)
       SELECT key_id, $2 FROM unnest($1::uuid[]) AS key_id
       ON CONFLICT (key_id) DO UPDATE
         SET last_used_at = GREATEST(usage.last_used_at, EXCLUDED.last_used_at)`,
      [[...new Set(keyIds)], toMinute(usedAt)],
    );
  }

  async lastUsedAt(keyId: string): Promise<Date | null> {
    const [row] = (await this.dataSource.query(
      `SELECT last_used_at FROM ${this.table} WHERE key_id = $1`,
      [keyId],
    )) as { last_used_at: Date }[];
    return row?.last_used_at ?? null;
  }
}
