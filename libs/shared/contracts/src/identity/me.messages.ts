import { z } from 'zod';

/** Payload of `identity.v1.getMe`: the user is the caller. */
export const getMeRequestSchema = z.strictObject({});

/** `GET /v1/me` (RunTools reference §7.2). */
export interface MeView {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  profilePictureUrl: string | null;
  emailVerified: boolean;
  /**
   * The caller is an Admin of the organization the request acts in (its active organization
   * unless `X-Org-Id` names another); false when it acts in none. The reference does not say what
   * `isAdmin` means; Orgplane has no platform administrators, so it is the organization role.
   */
  isAdmin: boolean;
  /** no waiting list or approval step in Orgplane: always true */
  accessGranted: boolean;
  /** no product tutorial is tracked: always false */
  tutorialCompleted: boolean;
  /** the organization the request acts in (`X-Org-Id`, else the active one); null for none */
  activeOrganizationId: string | null;
}
