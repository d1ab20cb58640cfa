import {
  organizationEvents,
  userEvents,
  type OrganizationEvent,
  type OrganizationRole,
  type UserEvent,
} from '@orgplane/contracts';
import type { RecordedEventOf } from '@orgplane/event-sourcing';
import {
  defineProjection,
  qualifiedTable,
  type Projection,
  type ProjectionContext,
} from '@orgplane/projections';
import { NotFoundException, type WorkOS } from '@workos-inc/node';
import type { DataSource } from 'typeorm';

/** Our organizations and their WorkOS twins; also the projection's name and checkpoint key. */
export const WORKOS_ORGANIZATIONS_TABLE = 'workos_organizations';
/** Memberships mirrored, with the WorkOS membership id (`om_…`) */
export const WORKOS_MEMBERSHIPS_TABLE = 'workos_organization_memberships';
/**
 * The WorkOS id of each WorkOS user, kept here rather than read from the `users` read model,
 * whose runner may lag behind this one: a user always signs up before joining, in `$all` order.
 */
export const WORKOS_USERS_TABLE = 'workos_users';

/**
 * Mirrors organizations and memberships created here to WorkOS (`externalId` = our organization
 * id; the role's slug), and their renames, role changes, removals and deletions. A projection, so
 * it follows the event store from a checkpoint that commits with its mapping tables: it resumes
 * after a restart, and only the one active instance calls WorkOS.
 *
 * WorkOS calls cannot join that transaction, so a crash between a call and the commit replays the
 * event: each call first looks for what it would create (the organization by external id, the
 * membership by organization and user), so a replay creates nothing twice. Users of the local
 * provider have no WorkOS user and are not mirrored. Started on a store with history (WorkOS
 * configured later), it catches up from the beginning, so existing organizations are mirrored too.
 * A WorkOS webhook echoing a change made here reaches membership as a sync to the state it
 * already has, which records nothing: loops settle.
 */
export function workosOrganizationsProjection(workos: WorkOS): Projection {
  const { organizations, userManagement } = workos;
  return defineProjection<RecordedEventOf<OrganizationEvent | UserEvent>>({
    name: WORKOS_ORGANIZATIONS_TABLE,
    tables: [WORKOS_ORGANIZATIONS_TABLE, WORKOS_MEMBERSHIPS_TABLE, WORKOS_USERS_TABLE],
    async setup({ manager, table }) {
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(WORKOS_ORGANIZATIONS_TABLE)} (
        organization_id uuid PRIMARY KEY,
        workos_organization_id text NOT NULL UNIQUE
      )`);
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(WORKOS_MEMBERSHIPS_TABLE)} (
        organization_id uuid NOT NULL,
        user_id uuid NOT NULL,
        workos_membership_id text NOT NULL,
        PRIMARY KEY (organization_id, user_id)
      )`);
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(WORKOS_USERS_TABLE)} (
        user_id uuid PRIMARY KEY,
        workos_user_id text NOT NULL
      )`);
    },
    async reset({ manager, table }) {
      for (const name of [
        WORKOS_ORGANIZATIONS_TABLE,
        WORKOS_MEMBERSHIPS_TABLE,
        WORKOS_USERS_TABLE,
      ]) {
        await manager.query(`DELETE FROM ${table(name)}`);
      }
    },
    reducers: {
      async UserSignedUp(event, { manager, table }) {
        const { data } = userEvents.decode(event);
        if (!data.workosUserId) return;
        await manager.query(
          `INSERT INTO ${table(WORKOS_USERS_TABLE)} (user_id, workos_user_id) VALUES ($1, $2)`,
          [data.userId, data.workosUserId],
        );
      },
      async OrganizationCreated(event, { manager, table }) {
        const { organizationId, name } = organizationEvents.decode(event).data;
        const existing = await organizations
          .getOrganizationByExternalId(organizationId)
          .catch(nullWhenNotFound);
        const twin =
          existing ??
          (await organizations.createOrganization({ name, externalId: organizationId }));
        await manager.query(
          `INSERT INTO ${table(WORKOS_ORGANIZATIONS_TABLE)}
             (organization_id, workos_organization_id) VALUES ($1, $2)`,
          [organizationId, twin.id],
        );
      },
      async OrganizationRenamed(event, context) {
        const { organizationId, name } = organizationEvents.decode(event).data;
        const twinId = await workosOrganizationIdOf(context, organizationId);
        if (twinId) await organizations.updateOrganization({ organization: twinId, name });
      },
      async OrganizationDeleted(event, context) {
        const { organizationId } = organizationEvents.decode(event).data;
        const twinId = await workosOrganizationIdOf(context, organizationId);
        if (!twinId) return;
        await organizations.deleteOrganization(twinId).catch(nullWhenNotFound);
        for (const name of [WORKOS_ORGANIZATIONS_TABLE, WORKOS_MEMBERSHIPS_TABLE]) {
          await context.manager.query(
            `DELETE FROM ${context.table(name)} WHERE organization_id = $1`,
            [organizationId],
          );
        }
      },
      async MemberJoined(event, context) {
        const { manager, table } = context;
        const { organizationId, userId, role } = organizationEvents.decode(event).data;
        const twinId = await workosOrganizationIdOf(context, organizationId);
        const [user] = (await manager.query(
          `SELECT workos_user_id FROM ${table(WORKOS_USERS_TABLE)} WHERE user_id = $1`,
          [userId],
        )) as { workos_user_id: string }[];
        if (!twinId || !user) return;
        const membershipId = await ensureMembership(workos, twinId, user.workos_user_id, role);
        await manager.query(
          `INSERT INTO ${table(WORKOS_MEMBERSHIPS_TABLE)}
             (organization_id, user_id, workos_membership_id) VALUES ($1, $2, $3)
           ON CONFLICT (organization_id, user_id)
           DO UPDATE SET workos_membership_id = EXCLUDED.workos_membership_id`,
          [organizationId, userId, membershipId],
        );
      },
      async MemberRoleChanged(event, context) {
        const { organizationId, userId, role } = organizationEvents.decode(event).data;
        const membershipId = await membershipIdOf(context, organizationId, userId);
        if (membershipId) {
          await userManagement.updateOrganizationMembership(membershipId, { roleSlug: role });
        }
      },
      MemberRemoved: (event, context) =>
        removeMembership(workos, context, organizationEvents.decode(event).data),
      MemberLeft: (event, context) =>
        removeMembership(workos, context, organizationEvents.decode(event).data),
    },
  });
}

/** Our organization mirrored as this WorkOS organization, if any: for WorkOS webhooks. */
export async function organizationIdOfWorkos(
  dataSource: DataSource,
  schema: string,
  workosOrganizationId: string,
): Promise<string | null> {
  const [row] = (await dataSource.query(
    `SELECT organization_id FROM ${qualifiedTable(schema, WORKOS_ORGANIZATIONS_TABLE)}
      WHERE workos_organization_id = $1`,
    [workosOrganizationId],
  )) as { organization_id: string }[];
  return row?.organization_id ?? null;
}

async function workosOrganizationIdOf(
  { manager, table }: ProjectionContext,
  organizationId: string,
): Promise<string | null> {
  const [row] = (await manager.query(
    `SELECT workos_organization_id FROM ${table(WORKOS_ORGANIZATIONS_TABLE)}
      WHERE organization_id = $1`,
    [organizationId],
  )) as { workos_organization_id: string }[];
  return row?.workos_organization_id ?? null;
}

async function membershipIdOf(
  { manager, table }: ProjectionContext,
  organizationId: string,
  userId: string,
): Promise<string | null> {
  const [row] = (await manager.query(
    `SELECT workos_membership_id FROM ${table(WORKOS_MEMBERSHIPS_TABLE)}
      WHERE organization_id = $1 AND user_id = $2`,
    [organizationId, userId],
  )) as { workos_membership_id: string }[];
  return row?.workos_membership_id ?? null;
}

/** The WorkOS membership of the user in the organization, with `role`, created if missing. */
async function ensureMembership(
  workos: WorkOS,
  organizationId: string,
  userId: string,
  role: OrganizationRole,
): Promise<string> {
  const { data } = await workos.userManagement.listOrganizationMemberships({
    organizationId,
    userId,
  });
  const [existing] = data;
  if (!existing) {
    return (
      await workos.userManagement.createOrganizationMembership({
        organizationId,
        userId,
        roleSlug: role,
      })
    ).id;
  }
  if (existing.role.slug !== role) {
    await workos.userManagement.updateOrganizationMembership(existing.id, { roleSlug: role });
  }
  return existing.id;
}

async function removeMembership(
  workos: WorkOS,
  context: ProjectionContext,
  { organizationId, userId }: { organizationId: string; userId: string },
): Promise<void> {
  const membershipId = await membershipIdOf(context, organizationId, userId);
  if (!membershipId) return;
  await workos.userManagement.deleteOrganizationMembership(membershipId).catch(nullWhenNotFound);
  await context.manager.query(
    `DELETE FROM ${context.table(WORKOS_MEMBERSHIPS_TABLE)}
      WHERE organization_id = $1 AND user_id = $2`,
    [organizationId, userId],
  );
}

/** Deleting what is already gone, or finding nothing, is not a failure here. */
function nullWhenNotFound(error: unknown): null {
  if (error instanceof NotFoundException) return null;
  throw error;
}
