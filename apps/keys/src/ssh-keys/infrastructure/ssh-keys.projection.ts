import { keyEvents, resourceEvents, type KeyEvent, type ResourceEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { currentProjectOf } from '../../projects';
import { SshKeyEntity, SSH_KEYS_TABLE } from './ssh-key.entity';

/** Registered keys only: a deleted key leaves the table (and may come back, under the same id). */
export const sshKeysProjection = defineProjection<RecordedEventOf<KeyEvent | ResourceEvent>>({
  name: SSH_KEYS_TABLE,
  tables: [SSH_KEYS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(SSH_KEYS_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      owner_user_id uuid NOT NULL,
      name text NOT NULL,
      public_key text NOT NULL,
      key_type text NOT NULL,
      fingerprint text NOT NULL,
      bits integer NOT NULL,
      comment text,
      project_id uuid,
      created_at timestamptz NOT NULL
    )`);
    // The pages of one member's keys, and of all the organization's (all=true), as listed.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS ssh_keys_by_owner ON ${table(SSH_KEYS_TABLE)} (organization_id, owner_user_id, created_at, id)`,
    );
    await manager.query(
      `CREATE INDEX IF NOT EXISTS ssh_keys_by_organization ON ${table(SSH_KEYS_TABLE)} (organization_id, created_at, id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(SSH_KEYS_TABLE)}`);
  },
  reducers: {
    async SshKeyAdded(event, { manager }) {
      const { sshKeyId, addedAt, projectId, ...key } = keyEvents.decode(event).data;
      await manager.insert(SshKeyEntity, {
        id: sshKeyId,
        ...key,
        projectId: await currentProjectOf(manager, projectId),
        createdAt: new Date(addedAt),
      });
    },
    async SshKeyDeleted(event, { manager }) {
      const { sshKeyId } = keyEvents.decode(event).data;
      await manager.delete(SshKeyEntity, { id: sshKeyId });
    },
    /** A deleted project's keys move to its default project in one statement: readers see all moved or none. */
    async ProjectDeleted(event, { manager, table }) {
      const { projectId, organizationId, defaultProjectId } = resourceEvents.decode(event).data;
      await manager.query(
        `UPDATE ${table(SSH_KEYS_TABLE)} SET project_id = $3 WHERE organization_id = $2 AND project_id = $1`,
        [projectId, organizationId, defaultProjectId],
      );
    },
  },
});
