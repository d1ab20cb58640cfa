import { z } from 'zod';
import { defineEventCatalog, type EventOf } from '../events';
import { ORGANIZATION_PLANS, ORGANIZATION_ROLES } from './organization.messages';

/** Stream of one organization and its members: `organization-<organizationId>`. */
export function organizationStreamName(organizationId: string): string {
  return `organization-${organizationId}`;
}

const organizationEventDefinitions = {
  OrganizationCreated: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId: z.uuid(),
      name: z.string().min(1).max(100),
      slug: z.string().min(1),
      plan: z.enum(ORGANIZATION_PLANS),
      createdBy: z.uuid(),
      createdAt: z.iso.datetime(),
    }),
  },
  MemberJoined: {
    schemaVersion: 1,
    data: z.strictObject({
      organizationId: z.uuid(),
      userId: z.uuid(),
      role: z.enum(ORGANIZATION_ROLES),
      joinedAt: z.iso.datetime(),
    }),
  },
};

export const organizationEvents = defineEventCatalog(organizationEventDefinitions);
export type OrganizationEvent = EventOf<typeof organizationEventDefinitions>;
export type OrganizationCreated = Extract<OrganizationEvent, { type: 'OrganizationCreated' }>;
export type MemberJoined = Extract<OrganizationEvent, { type: 'MemberJoined' }>;
