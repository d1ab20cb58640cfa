import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, Stack } from './stack';

export interface SignedInUser {
  token: string;
  userId: string;
  email: string;
}

/** An organization with an Admin, a Member and a pending invitation, made through the API. */
export interface World {
  organizationId: string;
  organizationName: string;
  admin: SignedInUser;
  member: SignedInUser;
  pendingInvitationId: string;
}

/** Throws unless the response has the status: fixtures must not fail quietly. */
export function expectStatus(response: HttpResponse, status: number, what: string): HttpResponse {
  if (response.status !== status) {
    throw new Error(`${what}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response;
}

export async function signIn(stack: Stack, email: string): Promise<SignedInUser> {
  const { token, userId } = await stack.signIn(email);
  return { token, userId, email };
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomUUID().slice(0, 8)}@example.com`;
}

/** `admin` creates an organization, invites `member`, who accepts. */
export async function buildWorld(
  stack: Stack,
  admin: SignedInUser,
  member: SignedInUser,
): Promise<World> {
  const send = (request: HttpRequest, status: number, what: string) =>
    stack.request(request).then((response) => expectStatus(response, status, what));
  const organizationName = `World ${randomUUID()}`;
  const created = await send(
    {
      method: 'POST',
      path: '/v1/organizations',
      token: admin.token,
      json: { name: organizationName },
    },
    201,
    'create organization',
  );
  const organizationId: string = created.body.data.id;
  const invitation = await send(
    {
      method: 'POST',
      path: `/v1/organizations/${organizationId}/invitations`,
      token: admin.token,
      json: { email: member.email, role: 'member' },
    },
    201,
    'invite the member',
  );
  await send(
    {
      method: 'POST',
      path: `/v1/invitations/${invitation.body.data.id}/accept`,
      token: member.token,
    },
    200,
    'accept the invitation',
  );
  const pending = await send(
    {
      method: 'POST',
      path: `/v1/organizations/${organizationId}/invitations`,
      token: admin.token,
      json: { email: uniqueEmail('pending'), role: 'member' },
    },
    201,
    'invite someone else',
  );
  return {
    organizationId,
    organizationName,
    admin,
    member,
    pendingInvitationId: pending.body.data.id,
  };
}
