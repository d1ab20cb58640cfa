import { createHash, timingSafeEqual } from 'node:crypto';

/** A platform service a configuration lets in: its name and the SHA-256 (hex) of its token. */
export interface RegisteredServiceCredential {
  service: string;
  tokenSha256: string;
}

/**
 * The registration a credential (`<service>:<token>`, MESSAGE_HEADERS.serviceCredential) proves,
 * or null: the SHA-256 of the token must match a registration of that service, compared in
 * constant time so the answer's timing tells nothing about the stored hash. Callers refuse a null
 * without saying which part was wrong (a missing credential included).
 */
export function authenticateServiceCredential<Registration extends RegisteredServiceCredential>(
  credential: string | undefined,
  registered: readonly Registration[],
): Registration | null {
  const separator = credential?.indexOf(':') ?? -1;
  if (!credential || separator <= 0) return null;
  const service = credential.slice(0, separator);
  const tokenSha256 = createHash('sha256')
    .update(credential.slice(separator + 1))
    .digest();
  return (
    registered.find(
      (registration) =>
        registration.service === service &&
        timingSafeEqual(Buffer.from(registration.tokenSha256, 'hex'), tokenSha256),
    ) ?? null
  );
}
