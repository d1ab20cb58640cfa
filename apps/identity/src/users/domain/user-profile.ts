import { z } from 'zod';

/** What the sign-in provider says about the user. */
export interface UserProfile {
  /** lowercased */
  email: string;
  emailVerified: boolean;
  firstName: string | null;
  lastName: string | null;
  profilePictureUrl: string | null;
}

/** Emails compare case-insensitively; they are stored lowercased. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

const NAME_MAX_LENGTH = 200;
const pictureUrl = z.url().max(2048);

/**
 * A profile as a provider reports it, made fit to record: the email lowercased, blank names
 * absent, over-long names cut, a picture URL that is not one dropped. A provider's odd data never
 * stops its user from signing in.
 */
export function normalizeProfile(reported: {
  email: string;
  emailVerified: boolean;
  firstName?: string | null;
  lastName?: string | null;
  profilePictureUrl?: string | null;
}): UserProfile {
  const name = (value: string | null | undefined) =>
    value?.trim().slice(0, NAME_MAX_LENGTH) || null;
  const picture = reported.profilePictureUrl;
  return {
    email: normalizeEmail(reported.email),
    emailVerified: reported.emailVerified,
    firstName: name(reported.firstName),
    lastName: name(reported.lastName),
    profilePictureUrl: picture && pictureUrl.safeParse(picture).success ? picture : null,
  };
}
