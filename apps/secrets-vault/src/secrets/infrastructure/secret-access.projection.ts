import {
  organizationEvents,
  secretEvents,
  type OrganizationEvent,
  type SecretEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { SecretAccessEntity, SECRET_ACCESS_TABLE } from './secret-access.entity';

/**
 * Who revealed or resolved each secret, from the secrets' access streams, for its access log. A
 * destroyed secret's log goes with it (a secret created again under the name starts a log of its
 * own); the audit trail keeps every entry in the events.
 */
export const secretAccessProjection = defineProjection<
  RecordedEventOf<SecretEvent | OrganizationEvent>
>({
  name: SECRET_ACCESS_TABLE,
  tables: [SECRET_ACCESS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(SECRET_ACCESS_TABLE)} (
      event_id uuid PRIMARY KEY,
      secret_id uuid NOT NULL,
      organization_id uuid NOT NULL,
      kind text NOT NULL,
      version integer NOT NULL,
      at timestamptz NOT NULL,
      user_id uuid NOT NULL,
      api_key_id uuid,
      resolver text,
      request_id text
    )`);
    // One secret's log, newest first; a deleted organization's rows go at once.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS secret_access_by_secret ON ${table(SECRET_ACCESS_TABLE)} (secret_id, at, event_id)`,
    );
    await manager.query(
      `CREATE INDEX IF NOT EXISTS secret_access_by_organization ON ${table(SECRET_ACCESS_TABLE)} (organization_id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(SECRET_ACCESS_TABLE)}`);
  },
  reducers: {
    async SecretRevealed(event, { manager }) {
      const { secretId, organizationId, version, revealedBy, revealedAt } =
        secretEvents.decode(event).data;
      const { actor, requestId } = event.metadata;
      await manager.insert(SecretAccessEntity, {
        eventId: event.id,
        secretId,
        organizationId,
        kind: 'revealed',
        version,
        at: new Date(revealedAt),
        userId: revealedBy,
        apiKeyId: actor.type === 'api_key' ? actor.id : null,
        resolver: null,
        requestId,
      });
    },
    async SecretResolved(event, { manager }) {
      const { secretId, organizationId, version, forUserId, resolver, resolvedAt } =
        secretEvents.decode(event).data;
      await manager.insert(SecretAccessEntity, {
        eventId: event.id,
        secretId,
        organizationId,
        kind: 'resolved',
        version,
        at: new Date(resolvedAt),
        userId: forUserId,
        apiKeyId: null,
        resolver,
        requestId: event.metadata.requestId,
      });
    },
    async SecretDestroyed(event, { manager }) {
      const { secretId } = secretEvents.decode(event).data;
      await manager.delete(SecretAccessEntity, { secretId });
    },
    async OrganizationDeleted(event, { manager }) {
      const { organizationId } = organizationEvents.decode(event).data;
      await manager.delete(SecretAccessEntity, { organizationId });
    },
  },
});
