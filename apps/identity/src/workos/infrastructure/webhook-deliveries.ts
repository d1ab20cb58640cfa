import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { qualifiedTable } from '@orgplane/projections';
import { DataSource } from 'typeorm';
import { runSchemaDdl } from '@orgplane/projections';
import { advisoryLockKey } from '../../database';
import { IDENTITY_CONFIG, type IdentityConfig } from '../../identity.config';
import { Workos } from './workos';

const WEBHOOK_EVENTS_TABLE = 'workos_webhook_events';

/** WorkOS retries a delivery for a few days; ids are remembered a while longer. */
const REMEMBERED_FOR = '7 days';

/**
 * Handles each WorkOS webhook event once, by event id, across identity instances. An event is
 * handled under an advisory lock on its id and recorded when done, in one transaction: a
 * duplicate arriving meanwhile waits on the lock, then finds the record and skips; a handling
 * that fails records nothing, so WorkOS's retry handles the event again. The transaction writes
 * only at the end: while the event is handled (appending events, waiting for read models) it has
 * no transaction id, so it holds back no reader of the event store (ADR 0003).
 */
@Injectable()
export class WebhookDeliveries implements OnModuleInit {
  private readonly table: string;

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly dataSource: DataSource,
    private readonly workos: Workos,
  ) {
    this.table = qualifiedTable(config.READ_MODEL_SCHEMA, WEBHOOK_EVENTS_TABLE);
  }

  async onModuleInit(): Promise<void> {
    if (!this.workos.connection) return;
    await runSchemaDdl(this.dataSource, this.config.READ_MODEL_SCHEMA, [
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        event_id text PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now()
      )`,
      `CREATE INDEX IF NOT EXISTS workos_webhook_events_received ON ${this.table} (received_at)`,
    ]);
  }

  /** Runs `handle` unless the event was handled before; false when it was. */
  handleOnce(eventId: string, handle: () => Promise<void>): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1::bigint)', [
        advisoryLockKey(WEBHOOK_EVENTS_TABLE, eventId),
      ]);
      const seen = (await manager.query(`SELECT 1 FROM ${this.table} WHERE event_id = $1`, [
        eventId,
      ])) as unknown[];
      if (seen.length > 0) return false;
      await handle();
      await manager.query(`DELETE FROM ${this.table} WHERE received_at < now() - $1::interval`, [
        REMEMBERED_FOR,
      ]);
      await manager.query(`INSERT INTO ${this.table} (event_id) VALUES ($1)`, [eventId]);
      return true;
    });
  }
}
