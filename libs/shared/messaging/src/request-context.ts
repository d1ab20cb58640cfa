import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP } from 'node:net';
import {
  callerSchema,
  MESSAGE_HEADERS,
  USER_AGENT_MAX_LENGTH,
  type Caller,
  type OrganizationRole,
} from '@orgplane/contracts';
import { formatPosition, parsePosition, type Position } from '@orgplane/event-store';
import { newRequestId, ServiceError, type FieldErrors } from '@orgplane/util';
import { createNatsHeaders, type NatsHeaders } from './nats-headers';

/** What every request carries besides its payload: who asks, from where, and how to trace it. */
export interface RequestContext {
  requestId: string;
  correlationId: string;
  causationId: string;
  /** absent for anonymous requests (sign-in); handlers that need one call `requireCaller` */
  caller?: Caller;
  /** the read models must have reached this position before a query answers */
  minPosition?: Position;
  /**
   * `<service>:<token>` of a platform service calling for itself (MESSAGE_HEADERS.serviceCredential).
   * Meant for the service it was sent to alone: toRequestHeaders never passes it on.
   */
  serviceCredential?: string;
  /** the HTTP client's address (absent for messages no HTTP request started) */
  clientIp?: string;
  /** the HTTP client's `User-Agent`, cut to USER_AGENT_MAX_LENGTH */
  userAgent?: string;
}

const TRACE_ID_PATTERN = /^[\w.:-]{1,128}$/;

/** A trace id someone else sent, if it looks like one; anything longer or stranger is dropped. */
export function acceptTraceId(value: string | undefined): string | undefined {
  return value && TRACE_ID_PATTERN.test(value) ? value : undefined;
}

/**
 * An address someone else sent, if it is one. An IPv4 client of a dual-stack listener shows as
 * `::ffff:192.0.2.7`; the audit trail names it as people write it, `192.0.2.7`.
 */
export function acceptClientIp(value: string | undefined): string | undefined {
  if (!value) return undefined;
  const address = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(value)?.[1] ?? value;
  return isIP(address) ? address : undefined;
}

const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/g;

/**
 * A `User-Agent` fit to keep: control characters (which would break a log line or a CSV row)
 * become spaces, and it is cut to USER_AGENT_MAX_LENGTH. Blank is absent.
 */
export function acceptUserAgent(value: string | undefined): string | undefined {
  const text = value?.replace(CONTROL_CHARACTERS, ' ').trim().slice(0, USER_AGENT_MAX_LENGTH);
  return text || undefined;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInRequestContext<Result>(context: RequestContext, fn: () => Result): Result {
  return storage.run(context, fn);
}

/** The context of the request being handled, if any (log lines read it). */
export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}

export function requireCaller(context: RequestContext): Caller {
  if (!context.caller) {
    throw new ServiceError('unauthorized', 'unauthorized', 'This request needs a signed-in caller');
  }
  return context.caller;
}

/**
 * The caller of a request that acts inside one organization: the gateway states the organization
 * (from the path, `X-Org-Id`, the session's active one or the API key's own) and the caller's role
 * there (for an API key, its owner's current role; its scopes were checked there too). Services
 * that keep no membership state of their own rely on this resolution, which membership's
 * access-change notices keep fresh at the gateway.
 */
export function requireOrganizationCaller(context: RequestContext): {
  userId: string;
  organizationId: string;
  role: OrganizationRole;
} {
  const caller = requireCaller(context);
  if (!caller.organizationId || !caller.role) {
    throw new ServiceError(
      'validation',
      'organization_required',
      'This request needs an organization context',
    );
  }
  return { userId: caller.userId, organizationId: caller.organizationId, role: caller.role };
}

export function toRequestHeaders(context: RequestContext): NatsHeaders {
  const headers = createNatsHeaders();
  headers.set(MESSAGE_HEADERS.requestId, context.requestId);
  headers.set(MESSAGE_HEADERS.correlationId, context.correlationId);
  headers.set(MESSAGE_HEADERS.causationId, context.causationId);
  if (context.caller) headers.set(MESSAGE_HEADERS.caller, JSON.stringify(context.caller));
  if (context.minPosition) {
    headers.set(MESSAGE_HEADERS.consistencyPosition, formatPosition(context.minPosition));
  }
  if (context.clientIp) headers.set(MESSAGE_HEADERS.clientIp, context.clientIp);
  if (context.userAgent) headers.set(MESSAGE_HEADERS.userAgent, context.userAgent);
  return headers;
}

/**
 * Reads the context a request arrived with. Missing trace ids are generated (a message from a tool
 * or a test still gets traced); a malformed caller or position is the sender's bug: a validation
 * error naming the header. A client address that is not one is dropped like a strange trace id:
 * it only describes the request, so it must not refuse it.
 */
export function fromRequestHeaders(headers: NatsHeaders | undefined): RequestContext {
  const read = (name: string) => headers?.get(name) || undefined;
  const traceId = (name: string) => acceptTraceId(read(name));
  const requestId = traceId(MESSAGE_HEADERS.requestId) ?? newRequestId();
  const problems: FieldErrors = {};

  let caller: Caller | undefined;
  const callerHeader = read(MESSAGE_HEADERS.caller);
  if (callerHeader) {
    const parsed = callerSchema.safeParse(parseJson(callerHeader));
    if (parsed.success) caller = parsed.data;
    else problems[MESSAGE_HEADERS.caller] = ['Not a valid caller'];
  }

  let minPosition: Position | undefined;
  const positionHeader = read(MESSAGE_HEADERS.consistencyPosition);
  if (positionHeader) {
    minPosition = parsePosition(positionHeader) ?? undefined;
    if (!minPosition) problems[MESSAGE_HEADERS.consistencyPosition] = [POSITION_FORMAT_PROBLEM];
  }

  if (Object.keys(problems).length > 0) throw ServiceError.validation(problems);
  return {
    requestId,
    correlationId: traceId(MESSAGE_HEADERS.correlationId) ?? requestId,
    causationId: traceId(MESSAGE_HEADERS.causationId) ?? requestId,
    caller,
    minPosition,
    serviceCredential: read(MESSAGE_HEADERS.serviceCredential),
    clientIp: acceptClientIp(read(MESSAGE_HEADERS.clientIp)),
    userAgent: acceptUserAgent(read(MESSAGE_HEADERS.userAgent)),
  };
}

export const POSITION_FORMAT_PROBLEM = 'Expected a position written <commit>:<prepare>';

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
