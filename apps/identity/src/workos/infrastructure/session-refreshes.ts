import { createHash } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { qualifiedTable } from '@orgplane/projections';
import { DataSource } from 'typeorm';
import { runSchemaDdl } from '@orgplane/projections';
import { advisoryLockKey } from '../../database';
import { IDENTITY_CONFIG, type IdentityConfig } from '../../identity.config';
import { Workos } from './workos';

const SESSION_REFRESHES_TABLE = 'workos_session_refreshes';

/** How long a refresh's result answers the other refreshes of the same session. */
const REPLAY_WINDOW_SECONDS = 60;

/**
 * Refreshes each sealed session once, whoever asks. WorkOS refresh tokens are single-use: when a
 * browser's tabs refresh the same session at once, the second refresh would fail and sign the
 * user out. So refreshes of one session are serialized under a PostgreSQL advisory lock (keyed by
 * the session's hash, so across identity instances too), and the first one's new sealed session
 * is kept for a minute under that hash for the others. Only sealed sessions are stored (encrypted
 * with the cookie password), never a bare token, and only their hash as the key.
 */
@Injectable()
export class SessionRefreshes implements OnModuleInit {
  private readonly table: string;

  constructor(
    @Inject(IDENTITY_CONFIG) private readonly config: IdentityConfig,
    private readonly dataSource: DataSource,
    private readonly workos: Workos,
  ) {
    this.table = qualifiedTable(config.READ_MODEL_SCHEMA, SESSION_REFRESHES_TABLE);
  }

  async onModuleInit(): Promise<void> {
    if (!this.workos.connection) return;
    await runSchemaDdl(this.dataSource, this.config.READ_MODEL_SCHEMA, [
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        session_hash bytea PRIMARY KEY,
        refreshed_sealed_session text NOT NULL,
        expires_at timestamptz NOT NULL
      )`,
      `CREATE INDEX IF NOT EXISTS workos_session_refreshes_expiry ON ${this.table} (expires_at)`,
    ]);
  }

  /**
   * The session `refresh` makes of `sealedSession`, or the one a refresh of the same session made
   * less than a minute ago. The lock is held while WorkOS answers, one pooled connection per
   * session being refreshed; the transaction writes only once WorkOS has answered, so until then
   * it has no transaction id and holds back no reader of the event store (ADR 0003).
   */
  refreshOnce(sealedSession: string, refresh: () => Promise<string>): Promise<string> {
    const hash = createHash('sha256').update(sealedSession).digest();
    return this.dataSource.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock($1::bigint)', [
        advisoryLockKey(SESSION_REFRESHES_TABLE, sealedSession),
      ]);
      const [done] = (await manager.query(
        `SELECT refreshed_sealed_session FROM ${this.table}
          WHERE session_hash = $1 AND expires_at > now()`,
        [hash],
      )) as { refreshed_sealed_session: string }[];
      if (done) return done.refreshed_sealed_session;

      const refreshed = await refresh();
      await manager.query(`DELETE FROM ${this.table} WHERE expires_at <= now()`);
      await manager.query(
        `INSERT INTO ${this.table} (session_hash, refreshed_sealed_session, expires_at)
         VALUES ($1, $2, now() + make_interval(secs => $3))`,
        [hash, refreshed, REPLAY_WINDOW_SECONDS],
      );
      return refreshed;
    });
  }
}
