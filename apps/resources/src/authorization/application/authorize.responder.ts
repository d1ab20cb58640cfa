import type { Msg, NatsConnection, Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import {
  authorizeRequestSchema,
  MESSAGE_HEADERS,
  RESOURCES_SUBJECTS,
  type AuthorizationView,
} from '@orgplane/contracts';
import { isDatabaseOutage, parsePosition, type Position } from '@orgplane/event-store';
import {
  acceptTraceId,
  parseOrThrow,
  POSITION_FORMAT_PROBLEM,
  ROOT_FIELD,
} from '@orgplane/messaging';
import { ServiceError, type ServiceErrorBody } from '@orgplane/util';
import { RESOURCES_CONFIG, type ResourcesConfig } from '../../resources.config';
import { AuthorizationIndex } from './authorization-index';

/** The queue group every resources instance answers in (as startService names it). */
export const AUTHORIZE_QUEUE = 'resources';
/** How often the responder logs what it answered, when it answered anything. */
const SUMMARY_INTERVAL_MS = 60_000;

/** A request as @nestjs/microservices' ClientNats sends it (ServiceClient). */
interface NestRequestPacket {
  pattern?: unknown;
  data?: unknown;
  id?: unknown;
}

/**
 * `resources.v1.authorize`, answered from the instance's AuthorizationIndex on a NATS connection
 * of its own, outside Nest's per-message pipeline (an observable, interceptors, a filter and a log
 * line per message cost more than the decision itself; see BENCHMARKS.md).
 *
 * What a caller sees is what any other subject of the service gives it: the same queue group, the
 * same request and reply envelopes as @nestjs/microservices (so ServiceClient reads the answers),
 * the payload validated by `authorizeRequestSchema` with the same per-field validation error, the
 * consistency header honoured (503 `consistency_timeout` past CONSISTENCY_WAIT_MS) and the same
 * error bodies. What differs: no line per request at `info` (one per request at `debug`, and a
 * summary a minute), and no AsyncLocalStorage request context, which nothing here reads.
 */
@Injectable()
export class AuthorizeResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Authorize');
  private connection: NatsConnection | null = null;
  private subscription: Subscription | null = null;
  private summaryTimer: NodeJS.Timeout | null = null;
  private readonly logEachRequest: boolean;
  /** the JSON of each of the few possible answers, built once */
  private readonly viewJson = new Map<AuthorizationView, string>();
  private readonly counts = { allowed: 0, denied: 0, failed: 0, waited: 0 };

  constructor(
    private readonly index: AuthorizationIndex,
    @Inject(RESOURCES_CONFIG) private readonly config: ResourcesConfig,
  ) {
    this.logEachRequest = config.LOG_LEVEL === 'debug' || config.LOG_LEVEL === 'trace';
  }

  /** Loads the index first: the instance takes checks only once it can answer them. */
  async onApplicationBootstrap(): Promise<void> {
    await this.index.start();
    const connection: NatsConnection = await connect({
      servers: this.config.NATS_URL,
      name: 'resources-authorize',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    this.connection = connection;
    this.subscription = connection.subscribe(RESOURCES_SUBJECTS.authorize, {
      queue: AUTHORIZE_QUEUE,
      callback: (error: Error | null, message: Msg) => {
        if (error) this.logger.warn(`Authorize subscription: ${error.message}`);
        else this.handle(message);
      },
    });
    // the server has the subscription once this returns: a check sent next finds a responder
    await connection.flush();
    this.summaryTimer = setInterval(() => this.summarise(), SUMMARY_INTERVAL_MS);
    this.summaryTimer.unref();
  }

  /**
   * Stops taking checks and answers those already received; checks still waiting for a position
   * get the retryable 503 once the index stops following `$all`; then the connection closes.
   */
  async onApplicationShutdown(): Promise<void> {
    if (this.summaryTimer) clearInterval(this.summaryTimer);
    await this.subscription?.drain().catch(() => undefined);
    await this.index.stop();
    this.summarise();
    if (this.connection && !this.connection.isClosed()) {
      await this.connection.drain().catch(() => this.connection?.close());
    }
  }

  private handle(message: Msg): void {
    const startedAt = this.logEachRequest ? performance.now() : 0;
    let id: unknown;
    let requestId: string | undefined;
    try {
      let packet: NestRequestPacket;
      try {
        packet = message.json<NestRequestPacket>();
      } catch {
        throw ServiceError.validation({ [ROOT_FIELD]: ['Expected a JSON message'] });
      }
      // ServiceClient's envelope; a bare payload from a plain NATS client is accepted as well
      const nest = packet !== null && typeof packet === 'object' && 'pattern' in packet;
      id = nest ? packet.id : undefined;
      const payload = nest ? packet.data : packet;
      const headers = message.headers;
      let minPosition: Position | null = null;
      if (headers) {
        requestId = acceptTraceId(headers.get(MESSAGE_HEADERS.requestId) || undefined);
        const position = headers.get(MESSAGE_HEADERS.consistencyPosition);
        if (position) {
          minPosition = parsePosition(position);
          if (!minPosition) {
            throw ServiceError.validation({
              [MESSAGE_HEADERS.consistencyPosition]: [POSITION_FORMAT_PROBLEM],
            });
          }
        }
      }
      const request = parseOrThrow(authorizeRequestSchema, payload);
      if (minPosition && !this.index.has(minPosition)) {
        this.counts.waited += 1;
        const waitFor = minPosition;
        void this.index.reached(waitFor, this.config.CONSISTENCY_WAIT_MS).then((reached) => {
          try {
            if (!reached) {
              throw new ServiceError(
                'unavailable',
                'consistency_timeout',
                'The data is not up to date yet; retry shortly',
              );
            }
            this.answer(message, id, this.index.decide(request), requestId, startedAt);
          } catch (error) {
            this.fail(message, id, error, requestId, startedAt);
          }
        });
        return;
      }
      this.answer(message, id, this.index.decide(request), requestId, startedAt);
    } catch (error) {
      this.fail(message, id, error, requestId, startedAt);
    }
  }

  private answer(
    message: Msg,
    id: unknown,
    view: AuthorizationView,
    requestId: string | undefined,
    startedAt: number,
  ): void {
    let json = this.viewJson.get(view);
    if (json === undefined) {
      json = JSON.stringify(view);
      this.viewJson.set(view, json);
    }
    // what Nest's server sends for a handler's one value: the reply, disposed, with the request id
    respond(message, `{"response":{"data":${json}},"isDisposed":true${idField(id)}}`);
    if (view.allowed) this.counts.allowed += 1;
    else this.counts.denied += 1;
    if (this.logEachRequest)
      this.logRequest(requestId, view.allowed ? 'allowed' : view.reason, startedAt);
  }

  private fail(
    message: Msg,
    id: unknown,
    error: unknown,
    requestId: string | undefined,
    startedAt: number,
  ): void {
    this.counts.failed += 1;
    const body = this.toBody(error, requestId);
    respond(message, `{"err":${JSON.stringify(body)},"isDisposed":true${idField(id)}}`);
    if (this.logEachRequest) this.logRequest(requestId, body.code, startedAt);
  }

  /** As ServiceErrorFilter: a ServiceError as it is, a database outage told apart, else a bug. */
  private toBody(error: unknown, requestId: string | undefined): ServiceErrorBody {
    if (error instanceof ServiceError) return error.toBody();
    if (isDatabaseOutage(error)) {
      return {
        kind: 'unavailable',
        code: 'database_unavailable',
        message: 'The service cannot reach its database; try again shortly',
      };
    }
    this.logger.error(
      `Authorization check failed unexpectedly (request ${requestId ?? '-'}): ${
        error instanceof Error ? (error.stack ?? error.message) : String(error)
      }`,
    );
    return {
      kind: 'unavailable',
      code: 'internal_error',
      message: 'The service failed to handle the request',
    };
  }

  private logRequest(requestId: string | undefined, outcome: string, startedAt: number): void {
    this.logger.debug(
      `${RESOURCES_SUBJECTS.authorize} ${outcome} in ${(performance.now() - startedAt).toFixed(3)} ms` +
        ` (request ${requestId ?? '-'})`,
    );
  }

  private summarise(): void {
    const { allowed, denied, failed, waited } = this.counts;
    if (allowed + denied + failed === 0) return;
    this.logger.log(
      `Authorization checks answered: ${JSON.stringify({
        allowed,
        denied,
        failed,
        waitedForPosition: waited,
        index: this.index.size(),
      })}`,
    );
    this.counts.allowed = this.counts.denied = this.counts.failed = this.counts.waited = 0;
  }
}

/** A reply that cannot go out (the connection closed while a check waited) is dropped. */
function respond(message: Msg, reply: string): void {
  try {
    message.respond(reply);
  } catch {
    // the caller's request times out, as with any lost reply
  }
}

function idField(id: unknown): string {
  return id === undefined ? '' : `,"id":${JSON.stringify(id)}`;
}
