import type { Caller, OrganizationRole } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';

/** A user acting in an organization with a role, as the gateway states the caller to services. */
export function memberCaller(
  userId: string,
  organizationId: string,
  role: OrganizationRole = 'member',
): Caller {
  return { type: 'user', userId, organizationId, role };
}

/** The ServiceError a request is refused with; the test fails when it succeeds or fails otherwise. */
export async function refusal(request: Promise<unknown>): Promise<ServiceError> {
  const outcome = await request.then(
    () => new Error('Expected the request to be refused'),
    (error: unknown) => error,
  );
  if (!(outcome instanceof ServiceError)) throw outcome;
  return outcome;
}
