import type { EventMetadata, NewEvent, RecordedEvent } from '@orgplane/event-store';
import { randomUUID } from 'node:crypto';
import type { SqlExecutor } from '../checkpoints';
import { defineProjection, type Projection, qualifiedTable } from '../projection';

/** A small membership read model for the specs: members, plus a tally that exposes replays. */
type Role = 'admin' | 'member';
type MemberAdded = RecordedEvent<'MemberAdded', { orgId: string; userId: string; role: Role }>;
type MemberRoleChanged = RecordedEvent<
  'MemberRoleChanged',
  { orgId: string; userId: string; role: Role }
>;
type MemberRemoved = RecordedEvent<'MemberRemoved', { orgId: string; userId: string }>;
export type MemberEvent = MemberAdded | MemberRoleChanged | MemberRemoved;

export const ORG_MEMBERS = 'org_members';
/** Counts every event applied per organization: an event applied twice shows up here. */
export const ORG_MEMBER_TALLIES = 'org_member_tallies';

export interface OrgMembersFaults {
  /** runs before each reducer: throw to fail the event, await to hold the transaction open */
  beforeReduce?(event: MemberEvent): Promise<void> | void;
}

export function orgMembersProjection(faults: OrgMembersFaults = {}): Projection {
  const tally = async (event: MemberEvent, manager: SqlExecutor, schema: string) => {
    await faults.beforeReduce?.(event);
    await manager.query(
      `INSERT INTO ${qualifiedTable(schema, ORG_MEMBER_TALLIES)} (org_id, applied) VALUES ($1, 1)
       ON CONFLICT (org_id) DO UPDATE SET applied = ${ORG_MEMBER_TALLIES}.applied + 1`,
      [event.data.orgId],
    );
  };
  return defineProjection<MemberEvent>({
    name: ORG_MEMBERS,
    async setup({ manager, table }) {
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ORG_MEMBERS)} (
        org_id text NOT NULL,
        user_id text NOT NULL,
        role text NOT NULL,
        PRIMARY KEY (org_id, user_id)
      )`);
      await manager.query(`CREATE TABLE IF NOT EXISTS ${table(ORG_MEMBER_TALLIES)} (
        org_id text PRIMARY KEY,
        applied integer NOT NULL
      )`);
    },
    async reset({ manager, table }) {
      await manager.query(`DELETE FROM ${table(ORG_MEMBERS)}`);
      await manager.query(`DELETE FROM ${table(ORG_MEMBER_TALLIES)}`);
    },
    reducers: {
      async MemberAdded(event, { manager, schema, table }) {
        await tally(event, manager, schema);
        await manager.query(
          `INSERT INTO ${table(ORG_MEMBERS)} (org_id, user_id, role) VALUES ($1, $2, $3)`,
          [event.data.orgId, event.data.userId, event.data.role],
        );
      },
      async MemberRoleChanged(event, { manager, schema, table }) {
        await tally(event, manager, schema);
        await manager.query(
          `UPDATE ${table(ORG_MEMBERS)} SET role = $3 WHERE org_id = $1 AND user_id = $2`,
          [event.data.orgId, event.data.userId, event.data.role],
        );
      },
      async MemberRemoved(event, { manager, schema, table }) {
        await tally(event, manager, schema);
        await manager.query(
          `DELETE FROM ${table(ORG_MEMBERS)} WHERE org_id = $1 AND user_id = $2`,
          [event.data.orgId, event.data.userId],
        );
      },
    },
  });
}

function memberEvent<Type extends MemberEvent['type']>(
  type: Type,
  data: Extract<MemberEvent, { type: Type }>['data'],
): NewEvent {
  return { type, schemaVersion: 1, data, metadata: specMetadata(data.orgId) };
}

function specMetadata(orgId: string): EventMetadata {
  return {
    orgId,
    actor: { type: 'system', id: 'projections.spec' },
    requestId: randomUUID(),
    correlationId: randomUUID(),
    causationId: randomUUID(),
  };
}

export const memberAdded = (orgId: string, userId: string, role: Role = 'member') =>
  memberEvent('MemberAdded', { orgId, userId, role });
export const memberRoleChanged = (orgId: string, userId: string, role: Role) =>
  memberEvent('MemberRoleChanged', { orgId, userId, role });
export const memberRemoved = (orgId: string, userId: string) =>
  memberEvent('MemberRemoved', { orgId, userId });

/** An event of another read model's: the projection's filter must pass over it. */
export const organizationRenamed = (orgId: string, name: string): NewEvent => ({
  type: 'OrganizationRenamed',
  schemaVersion: 1,
  data: { orgId, name },
  metadata: specMetadata(orgId),
});

export interface OrgMembersSnapshot {
  members: { org_id: string; user_id: string; role: string }[];
  tallies: { org_id: string; applied: number }[];
}

export async function readOrgMembers(
  executor: SqlExecutor,
  schema: string,
): Promise<OrgMembersSnapshot> {
  const members = (await executor.query(
    `SELECT org_id, user_id, role FROM ${qualifiedTable(schema, ORG_MEMBERS)} ORDER BY 1, 2`,
  )) as OrgMembersSnapshot['members'];
  const tallies = (await executor.query(
    `SELECT org_id, applied FROM ${qualifiedTable(schema, ORG_MEMBER_TALLIES)} ORDER BY 1`,
  )) as OrgMembersSnapshot['tallies'];
  return { members, tallies };
}
