import { organizationEvents, type OrganizationEvent } from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import { defineProjection } from '@orgplane/projections';
import { InvitationEntity, INVITATIONS_TABLE } from './invitation.entity';

export const invitationsProjection = defineProjection<RecordedEventOf<OrganizationEvent>>({
  name: INVITATIONS_TABLE,
  tables: [INVITATIONS_TABLE],
  async setup({ manager, table }) {
    await manager.query(`CREATE TABLE IF NOT EXISTS ${table(INVITATIONS_TABLE)} (
      id uuid PRIMARY KEY,
      organization_id uuid NOT NULL,
      email text NOT NULL,
      role text NOT NULL,
      invited_by uuid NOT NULL,
      created_at timestamptz NOT NULL,
      expires_at timestamptz NOT NULL,
      accepted_at timestamptz,
      revoked_at timestamptz
    )`);
    // The pages of one organization's invitations, in the order they are listed.
    await manager.query(
      `CREATE INDEX IF NOT EXISTS invitations_by_organization ON ${table(INVITATIONS_TABLE)} (organization_id, created_at, id)`,
    );
    // The invitations addressed to one email (the invitee's list).
    await manager.query(
      `CREATE INDEX IF NOT EXISTS invitations_by_email ON ${table(INVITATIONS_TABLE)} (email, created_at, id)`,
    );
  },
  async reset({ manager, table }) {
    await manager.query(`DELETE FROM ${table(INVITATIONS_TABLE)}`);
  },
  reducers: {
    async InvitationCreated(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.insert(InvitationEntity, {
        id: data.invitationId,
        organizationId: data.organizationId,
        email: data.email,
        role: data.role,
        invitedBy: data.invitedBy,
        createdAt: new Date(data.createdAt),
        expiresAt: new Date(data.expiresAt),
        acceptedAt: null,
        revokedAt: null,
      });
    },
    async InvitationResent(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.update(
        InvitationEntity,
        { id: data.invitationId },
        { expiresAt: new Date(data.expiresAt) },
      );
    },
    async InvitationRevoked(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.update(
        InvitationEntity,
        { id: data.invitationId },
        { revokedAt: new Date(data.revokedAt) },
      );
    },
    async InvitationAccepted(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.update(
        InvitationEntity,
        { id: data.invitationId },
        { acceptedAt: new Date(data.acceptedAt) },
      );
    },
    async OrganizationDeleted(event, { manager }) {
      const { data } = organizationEvents.decode(event);
      await manager.delete(InvitationEntity, { organizationId: data.organizationId });
    },
  },
});
