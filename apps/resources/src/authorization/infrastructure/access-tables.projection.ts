import {
  keyEvents,
  organizationEvents,
  type KeyEvent,
  type OrganizationEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import {
  ACCESS_API_KEYS_TABLE,
  ACCESS_MEMBERS_TABLE,
  ACCESS_POLICIES_TABLE,
  AccessApiKeyEntity,
  AccessPolicyEntity,
} from './access-tables.entity';

/**
 * The read models the authorization index loads at start-up (see authorization-index.ts). Each
 * is a table of its own, folded by the service's one runner together with the registry, so one
 * checkpoint says how far all of them are: the index loads them and that checkpoint in one
 * snapshot, then follows `$all` from there.
 */
export const accessMembersProjection = defineProjection<RecordedEventOf<OrganizationEvent>>({
  name: ACCESS_MEMBERS_TABLE,
  tables: [ACCESS_MEMBERS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ACCESS_MEMBERS_TABLE)} (
      organization_id uuid NOT NULL,
      user_id uuid NOT NULL,
      role text NOT NULL,
      PRIMARY KEY (organization_id, user_id)
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(ACCESS_MEMBERS_TABLE)}`);
  },
  reducers: {
    async MemberJoined(event, { manager, table }) {
      const { organizationId, userId, role } = organizationEvents.decode(event).data;
      // a member who left and joined again has a row again
      await manager.query(
        `INSERT INTO ${table(ACCESS_MEMBERS_TABLE)} (organization_id, user_id, role)
         VALUES ($1, $2, $3)
         ON CONFLICT (organization_id, user_id) DO UPDATE SET role = EXCLUDED.role`,
        [organizationId, userId, role],
      );
    },
    async MemberRoleChanged(event, { manager, table }) {
      const { organizationId, userId, role } = organizationEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(ACCESS_MEMBERS_TABLE)} SET role = $3
         WHERE organization_id = $1 AND user_id = $2`,
        [organizationId, userId, role],
      );
    },
    async MemberRemoved(event, { manager, table }) {
      const { organizationId, userId } = organizationEvents.decode(event).data;
      await manager.query(
        `DELETE FROM ${table(ACCESS_MEMBERS_TABLE)} WHERE organization_id = $1 AND user_id = $2`,
        [organizationId, userId],
      );
    },
    async MemberLeft(event, { manager, table }) {
      const { organizationId, userId } = organizationEvents.decode(event).data;
      await manager.query(
        `DELETE FROM ${table(ACCESS_MEMBERS_TABLE)} WHERE organization_id = $1 AND user_id = $2`,
        [organizationId, userId],
      );
    },
    async OrganizationDeleted(event, { manager, table }) {
      const { organizationId } = organizationEvents.decode(event).data;
      await manager.query(`DELETE FROM ${table(ACCESS_MEMBERS_TABLE)} WHERE organization_id = $1`, [
        organizationId,
      ]);
    },
  },
});

export const accessApiKeysProjection = defineProjection<RecordedEventOf<KeyEvent>>({
  name: ACCESS_API_KEYS_TABLE,
  tables: [ACCESS_API_KEYS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ACCESS_API_KEYS_TABLE)} (
      key_id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      owner_user_id uuid NOT NULL,
      scopes text[] NOT NULL,
      revoked boolean NOT NULL,
      expires_at timestamptz
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(ACCESS_API_KEYS_TABLE)}`);
  },
  reducers: {
    async ApiKeyCreated(event, { manager }) {
      const { data } = keyEvents.decode(event);
      await manager.insert(AccessApiKeyEntity, {
        keyId: data.keyId,
        organizationId: data.organizationId,
        ownerUserId: data.ownerUserId,
        scopes: data.scopes,
        revoked: false,
        expiresAt: data.expiresAt === null ? null : new Date(data.expiresAt),
      });
    },
    async ApiKeyUpdated(event, { manager }) {
      const { keyId, scopes } = keyEvents.decode(event).data;
      await manager.update(AccessApiKeyEntity, { keyId }, { scopes });
    },
    async ApiKeyRevoked(event, { manager }) {
      const { keyId } = keyEvents.decode(event).data;
      await manager.update(AccessApiKeyEntity, { keyId }, { revoked: true });
    },
  },
});

export const accessPoliciesProjection = defineProjection<RecordedEventOf<OrganizationEvent>>({
  name: ACCESS_POLICIES_TABLE,
  tables: [ACCESS_POLICIES_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ACCESS_POLICIES_TABLE)} (
      organization_id uuid PRIMARY KEY,
      allow_public_resources boolean NOT NULL
    )`);
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(ACCESS_POLICIES_TABLE)}`);
  },
  reducers: {
    async OrganizationSettingsChanged(event, { manager }) {
      const { organizationId, settings } = organizationEvents.decode(event).data;
      await manager.upsert(
        AccessPolicyEntity,
        { organizationId, allowPublicResources: settings.allowPublicResources },
        ['organizationId'],
      );
    },
    async OrganizationDeleted(event, { manager }) {
      const { organizationId } = organizationEvents.decode(event).data;
      await manager.delete(AccessPolicyEntity, { organizationId });
    },
  },
});
