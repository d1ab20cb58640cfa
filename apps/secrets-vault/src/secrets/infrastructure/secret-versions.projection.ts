import {
  organizationEvents,
  secretEvents,
  type OrganizationEvent,
  type SecretEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { SecretVersionEntity, SECRET_VERSIONS_TABLE } from './secret-version.entity';

/** The versions each secret keeps: retired and destroyed ones leave, values never enter. */
export const secretVersionsProjection = defineProjection<
  RecordedEventOf<SecretEvent | OrganizationEvent>
>({
  name: SECRET_VERSIONS_TABLE,
  tables: [SECRET_VERSIONS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(SECRET_VERSIONS_TABLE)} (
      secret_id uuid NOT NULL,
      version integer NOT NULL,
      organization_id uuid NOT NULL,
      event_id uuid NOT NULL,
      created_at timestamptz NOT NULL,
      created_by uuid NOT NULL,
      PRIMARY KEY (secret_id, version)
    )`);
    // A deleted organization's rows go at once.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS secret_versions_by_organization ON ${table(SECRET_VERSIONS_TABLE)} (organization_id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(SECRET_VERSIONS_TABLE)}`);
  },
  reducers: {
    async SecretCreated(event, { manager }) {
      const { secretId, organizationId, version, createdAt, createdBy } =
        secretEvents.decode(event).data;
      await manager.insert(SecretVersionEntity, {
        secretId,
        version,
        organizationId,
        eventId: event.id,
        createdAt: new Date(createdAt),
        createdBy,
      });
    },
    async SecretRotated(event, { manager, table }) {
      const { secretId, version, retiredVersions, rotatedAt, rotatedBy } =
        secretEvents.decode(event).data;
      // The rotation does not repeat the organization; the version it follows, still kept, has it.
      await manager.query(
        `INSERT INTO ${table(SECRET_VERSIONS_TABLE)}
           (secret_id, version, organization_id, event_id, created_at, created_by)
         SELECT secret_id, $2, organization_id, $3, $4, $5 FROM ${table(SECRET_VERSIONS_TABLE)}
         WHERE secret_id = $1 LIMIT 1`,
        [secretId, version, event.id, new Date(rotatedAt), rotatedBy],
      );
      if (retiredVersions.length > 0) {
        await manager.query(
          `DELETE FROM ${table(SECRET_VERSIONS_TABLE)} WHERE secret_id = $1 AND version = ANY($2)`,
          [secretId, retiredVersions],
        );
      }
    },
    async SecretDestroyed(event, { manager }) {
      const { secretId } = secretEvents.decode(event).data;
      await manager.delete(SecretVersionEntity, { secretId });
    },
    async OrganizationDeleted(event, { manager }) {
      const { organizationId } = organizationEvents.decode(event).data;
      await manager.delete(SecretVersionEntity, { organizationId });
    },
  },
});
