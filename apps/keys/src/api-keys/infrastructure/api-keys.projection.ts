import { keyEvents, resourceEvents, type KeyEvent, type ResourceEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { currentProjectOf } from '../../projects';
import { ApiKeyEntity, API_KEYS_TABLE } from './api-key.entity';

export const apiKeysProjection = defineProjection<RecordedEventOf<KeyEvent | ResourceEvent>>({
  name: API_KEYS_TABLE,
  tables: [API_KEYS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(API_KEYS_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      owner_user_id uuid NOT NULL,
      name text NOT NULL,
      key_prefix text NOT NULL,
      key_hash text NOT NULL,
      previous_key_hash text,
      previous_valid_until timestamptz,
      scopes text[] NOT NULL,
      project_id uuid,
      is_test boolean NOT NULL,
      expires_at timestamptz,
      revoked_at timestamptz,
      created_at timestamptz NOT NULL
    )`);
    // The gateway's resolution of a key it has not cached: by the current or the previous secret,
    // one query over two indexes.
    await manager.query(
      `CREATE UNIQUE INDEX IF NOT EXISTS api_keys_key_hash ON ${table(API_KEYS_TABLE)} (key_hash)`,
    );
    await manager.query(
      `CREATE INDEX IF NOT EXISTS api_keys_previous_key_hash ON ${table(API_KEYS_TABLE)} (previous_key_hash) WHERE previous_key_hash IS NOT NULL`,
    );
    // The pages of one member's keys, and of all the organization's (all=true), as listed.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS api_keys_by_owner ON ${table(API_KEYS_TABLE)} (organization_id, owner_user_id, created_at, id)`,
    );
    await manager.query(
      `CREATE INDEX IF NOT EXISTS api_keys_by_organization ON ${table(API_KEYS_TABLE)} (organization_id, created_at, id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(API_KEYS_TABLE)}`);
  },
  reducers: {
    async ApiKeyCreated(event, { manager }) {
      const { data } = keyEvents.decode(event);
      await manager.insert(ApiKeyEntity, {
        id: data.keyId,
        organizationId: data.organizationId,
        ownerUserId: data.ownerUserId,
        name: data.name,
        keyPrefix: data.keyPrefix,
        keyHash: data.keyHash,
        previousKeyHash: null,
        previousValidUntil: null,
        scopes: data.scopes,
        projectId: await currentProjectOf(manager, data.projectId),
        isTest: data.isTest,
        expiresAt: data.expiresAt === null ? null : new Date(data.expiresAt),
        revokedAt: null,
        createdAt: new Date(data.createdAt),
      });
    },
    async ApiKeyUpdated(event, { manager }) {
      const { keyId, name, scopes, projectId } = keyEvents.decode(event).data;
      await manager.update(
        ApiKeyEntity,
        { id: keyId },
        { name, scopes, projectId: await currentProjectOf(manager, projectId) },
      );
    },
    async ApiKeyRotated(event, { manager }) {
      const { data } = keyEvents.decode(event);
      await manager.update(
        ApiKeyEntity,
        { id: data.keyId },
        {
          keyPrefix: data.keyPrefix,
          keyHash: data.keyHash,
          previousKeyHash: data.previousKeyHash,
          previousValidUntil: new Date(data.previousValidUntil),
        },
      );
    },
    async ApiKeyRevoked(event, { manager }) {
      const { keyId, revokedAt } = keyEvents.decode(event).data;
      await manager.update(ApiKeyEntity, { id: keyId }, { revokedAt: new Date(revokedAt) });
    },
    /** A deleted project's keys move to its default project in one statement: readers see all moved or none. */
    async ProjectDeleted(event, { manager, table }) {
      const { projectId, organizationId, defaultProjectId } = resourceEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(API_KEYS_TABLE)} SET project_id = $3 WHERE organization_id = $2 AND project_id = $1`,
        [projectId, organizationId, defaultProjectId],
      );
    },
  },
});
