import { z } from 'zod';

const personName = z.string().min(1).max(200);

/**
 * Payload of `identity.v1.devSignIn`: the development provider trusts the email it is given (the
 * user's email counts as verified). Names are recorded at the first sign-in only.
 */
export const devSignInRequestSchema = z.strictObject({
  email: z.email().max(254),
  firstName: personName.optional(),
  lastName: personName.optional(),
});
export type DevSignInRequest = z.infer<typeof devSignInRequestSchema>;

export interface UserView {
  id: string;
  email: string;
}

export interface SignInReply {
  accessToken: string;
  tokenType: 'Bearer';
  /** seconds */
  expiresIn: number;
  user: UserView;
}
