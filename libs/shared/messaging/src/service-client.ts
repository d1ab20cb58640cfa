import type { OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { ClientNats, NatsRecordBuilder } from '@nestjs/microservices';
import { MESSAGE_HEADERS, serviceErrorBodySchema, type ServiceReply } from '@orgplane/contracts';
import { ServiceError } from '@orgplane/util';
import { firstValueFrom, reduce, timeout, TimeoutError } from 'rxjs';
import { z } from 'zod';
import type { Logger } from './logger';
import { MAX_ASSEMBLED_REPLY_BYTES, ReplyAssembly } from './reply-chunks';
import { toRequestHeaders, type RequestContext } from './request-context';

export interface ServiceClientOptions {
  natsUrl: string;
  /** a request with no answer by then fails as `unavailable` (HTTP 503) */
  defaultTimeoutMs: number;
  /** names the NATS connection */
  name: string;
  logger: Logger;
}

const replySchema = z.object({
  data: z.unknown(),
  position: z.string().optional(),
  page: z.object({ hasMore: z.boolean(), nextCursor: z.string().nullable() }).optional(),
  message: z.string().optional(),
});

/**
 * Request/reply to the services over NATS, with the request context in the message headers.
 * Resolves with the reply envelope or throws a ServiceError: the service's own (not found,
 * conflict, validation, ...), or `unavailable` when nobody answers in time, nobody listens, or the
 * answer is not one of ours.
 */
export class ServiceClient implements OnModuleInit, OnApplicationShutdown {
  private readonly client: ClientNats;

  constructor(private readonly options: ServiceClientOptions) {
    this.client = new ClientNats({ servers: options.natsUrl, name: options.name });
  }

  /** Connects at start-up, so a wrong NATS_URL stops the process instead of its first request. */
  async onModuleInit(): Promise<void> {
    await this.client.connect();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.close();
  }

  async request<Data>(
    subject: string,
    payload: unknown,
    context: RequestContext,
    {
      timeoutMs = this.options.defaultTimeoutMs,
      serviceCredential,
    }: {
      timeoutMs?: number;
      /** this service's own `<service>:<token>`, for a service that asks who is calling */
      serviceCredential?: string;
    } = {},
  ): Promise<ServiceReply<Data>> {
    const record = this.recordOf(payload, context, serviceCredential);
    let answer: unknown;
    try {
      answer = await firstValueFrom(this.client.send(subject, record).pipe(timeout(timeoutMs)));
    } catch (error) {
      throw this.toServiceError(error, subject, timeoutMs, context);
    }
    return this.replyOf<Data>(answer, subject, context);
  }

  /**
   * For a subject whose handler answers with `inChunks` (replies that may exceed one NATS
   * message): the chunks, put back together, are the reply. The whole reply must be in within
   * `timeoutMs`, and no larger than `maxReplyBytes`; a lost chunk fails the request at once.
   */
  async requestInChunks<Data>(
    subject: string,
    payload: unknown,
    context: RequestContext,
    {
      timeoutMs = this.options.defaultTimeoutMs,
      maxReplyBytes = MAX_ASSEMBLED_REPLY_BYTES,
    }: { timeoutMs?: number; maxReplyBytes?: number } = {},
  ): Promise<ServiceReply<Data>> {
    const record = this.recordOf(payload, context);
    let answer: unknown;
    try {
      // reduce emits once, when the reply stream ends: the timeout bounds the whole reply
      const assembly = await firstValueFrom(
        this.client.send(subject, record).pipe(
          reduce((chunks, chunk) => chunks.add(chunk), new ReplyAssembly(maxReplyBytes)),
          timeout(timeoutMs),
        ),
      );
      answer = assembly.reply();
    } catch (error) {
      throw this.toServiceError(error, subject, timeoutMs, context);
    }
    return this.replyOf<Data>(answer, subject, context);
  }

  private recordOf(payload: unknown, context: RequestContext, serviceCredential?: string) {
    const headers = toRequestHeaders(context);
    if (serviceCredential) headers.set(MESSAGE_HEADERS.serviceCredential, serviceCredential);
    return new NatsRecordBuilder(payload).setHeaders(headers).build();
  }

  private replyOf<Data>(
    answer: unknown,
    subject: string,
    context: RequestContext,
  ): ServiceReply<Data> {
    const reply = replySchema.safeParse(answer);
    if (!reply.success) {
      this.options.logger.error({ requestId: context.requestId, subject }, 'Malformed reply');
      throw ServiceError.unavailable('The service gave an answer that could not be read');
    }
    return reply.data as ServiceReply<Data>;
  }

  private toServiceError(
    error: unknown,
    subject: string,
    timeoutMs: number,
    context: RequestContext,
  ): ServiceError {
    const log = { requestId: context.requestId, subject };
    if (error instanceof ServiceError) {
      // a chunked reply that could not be put together
      this.options.logger.warn({ ...log, code: error.code }, error.message);
      return error;
    }
    const body = serviceErrorBodySchema.safeParse(error);
    if (body.success) return ServiceError.fromBody(body.data);
    if (error instanceof TimeoutError) {
      this.options.logger.warn({ ...log, timeoutMs }, 'No answer in time');
      return new ServiceError(
        'unavailable',
        'service_timeout',
        'The service did not answer in time',
      );
    }
    // No responders (no instance subscribed), a lost connection, or an answer not from our filter.
    const reason = error instanceof Error ? error.message : String(error);
    this.options.logger.warn({ ...log, reason }, 'Request failed in transport');
    return new ServiceError('unavailable', 'service_unavailable', 'The service is not available');
  }
}
