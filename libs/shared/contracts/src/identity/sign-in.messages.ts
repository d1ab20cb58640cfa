import { z } from 'zod';

/** Payload of `identity.v1.devSignIn`: the development provider trusts the email it is given. */
export const devSignInRequestSchema = z.strictObject({
  email: z.email().max(254),
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
