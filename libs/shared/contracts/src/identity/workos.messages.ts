import { z } from 'zod';
import type { SignInReply } from './sign-in.messages';

/**
 * Payloads of the WorkOS sign-in subjects. Every one of them answers 404 `provider_not_configured`
 * when the identity service runs without WorkOS settings.
 */
export const workosAuthorizeRequestSchema = z.strictObject({});

export interface WorkosAuthorizeReply {
  /** AuthKit's hosted sign-in page, to send the browser to */
  authorizationUrl: string;
  /**
   * Comes back on the callback. The client keeps it and compares it with the callback's, so a
   * sign-in it did not start is refused; identity checks that it issued it, less than 10 minutes ago.
   */
  state: string;
}

/** The query of the AuthKit redirect, as the gateway passes it on. */
export const workosCallbackRequestSchema = z.strictObject({
  code: z.string().min(1).max(512),
  state: z.string().min(1).max(512),
});
export type WorkosCallbackRequest = z.infer<typeof workosCallbackRequestSchema>;

/**
 * The WorkOS session sealed (encrypted and authenticated) with the cookie password: the value of
 * the gateway's session cookie, opaque to everything but the identity service.
 */
const sealedSession = z.string().min(1).max(8192);

export const refreshSessionRequestSchema = z.strictObject({ sealedSession });
export type RefreshSessionRequest = z.infer<typeof refreshSessionRequestSchema>;

export const logoutRequestSchema = z.strictObject({ sealedSession });
export type LogoutRequest = z.infer<typeof logoutRequestSchema>;

/**
 * Reply of the callback and of refresh: the WorkOS access token (RS256, verified by the gateway
 * like ours) and the sealed session, which the gateway moves from the body into its cookie.
 */
export interface SessionSignInReply extends SignInReply {
  sealedSession: string;
}

export interface LogoutReply {
  /** WorkOS ends its session when the browser visits it */
  logoutUrl: string;
}

/**
 * `POST /v1/webhooks/workos` as the gateway received it: the body exactly as sent (the signature
 * covers it) and the `WorkOS-Signature` header (`t=<ms>, v1=<hex>`).
 */
export const workosWebhookRequestSchema = z.strictObject({
  payload: z.string().min(1),
  signature: z.string().max(1024),
});
export type WorkosWebhookRequest = z.infer<typeof workosWebhookRequestSchema>;

export interface WorkosWebhookReply {
  received: true;
}
