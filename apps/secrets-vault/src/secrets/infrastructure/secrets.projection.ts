import {
  organizationEvents,
  secretEvents,
  type OrganizationEvent,
  type SecretEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { SecretEntity, SECRETS_TABLE } from './secret.entity';

/**
 * Active and soft-deleted secrets, metadata only: a destroyed secret leaves the table (and may
 * come back under the same id), and so does every secret of a deleted organization.
 */
export const secretsProjection = defineProjection<RecordedEventOf<SecretEvent | OrganizationEvent>>(
  {
    name: SECRETS_TABLE,
    tables: [SECRETS_TABLE],
    async setup({ manager, table }) {
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(SECRETS_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      owner_user_id uuid,
      name text NOT NULL,
      category text NOT NULL,
      scope text NOT NULL,
      description text,
      version integer NOT NULL,
      status text NOT NULL,
      created_at timestamptz NOT NULL,
      created_by uuid NOT NULL,
      updated_at timestamptz NOT NULL,
      updated_by uuid NOT NULL,
      deleted_at timestamptz
    )`);
      // The pages of a list, ordered by name: one owner's (or the organization's, owner null), and
      // the whole organization's (all=true).
      await manager.query(
        `CREATE INDEX IF NOT EXISTS secrets_by_owner ON ${table(SECRETS_TABLE)} (organization_id, owner_user_id, status, name, id)`,
      );
      await manager.query(
        `CREATE INDEX IF NOT EXISTS secrets_by_organization ON ${table(SECRETS_TABLE)} (organization_id, status, name, id)`,
      );
    },
    async reset({ manager, table }) {
      await manager.query(`DELETE FROM ${table(SECRETS_TABLE)}`);
    },
    reducers: {
      async SecretCreated(event, { manager }) {
        const {
          secretId,
          version,
          createdAt,
          createdBy,
          value: _sealed,
          ...secret
        } = secretEvents.decode(event).data;
        await manager.insert(SecretEntity, {
          id: secretId,
          ...secret,
          version,
          status: 'active',
          createdAt: new Date(createdAt),
          createdBy,
          updatedAt: new Date(createdAt),
          updatedBy: createdBy,
          deletedAt: null,
        });
      },
      async SecretRotated(event, { manager }) {
        const { secretId, category, scope, description, version, rotatedAt, rotatedBy } =
          secretEvents.decode(event).data;
        await manager.update(
          SecretEntity,
          { id: secretId },
          {
            category,
            scope,
            description,
            version,
            updatedAt: new Date(rotatedAt),
            updatedBy: rotatedBy,
          },
        );
      },
      async SecretDeleted(event, { manager }) {
        const { secretId, deletedAt } = secretEvents.decode(event).data;
        await manager.update(
          SecretEntity,
          { id: secretId },
          { status: 'deleted', deletedAt: new Date(deletedAt) },
        );
      },
      async SecretUndeleted(event, { manager }) {
        const { secretId } = secretEvents.decode(event).data;
        await manager.update(SecretEntity, { id: secretId }, { status: 'active', deletedAt: null });
      },
      async SecretDestroyed(event, { manager }) {
        const { secretId } = secretEvents.decode(event).data;
        await manager.delete(SecretEntity, { id: secretId });
      },
      async OrganizationDeleted(event, { manager }) {
        const { organizationId } = organizationEvents.decode(event).data;
        await manager.delete(SecretEntity, { organizationId });
      },
    },
  },
);
