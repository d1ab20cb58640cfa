import type { Caller, ServiceReply } from '@orgplane/contracts';
import { maxPosition, parsePosition, type Position } from '@orgplane/event-store';
import { newRequestId } from '@orgplane/util';
import type { Logger } from './logger';
import { ServiceClient } from './service-client';

/**
 * A ServiceClient that behaves like a client handing back every `X-Consistency-Position` it got:
 * each request carries the newest position seen so far, so every read sees every write before it.
 * For callers that talk to a service directly (integration tests, tools).
 */
export class ReadYourWritesClient {
  private newest: Position | undefined;

  private constructor(private readonly services: ServiceClient) {}

  static async connect(
    natsUrl: string,
    name: string,
    logger: Logger,
    defaultTimeoutMs = 10_000,
  ): Promise<ReadYourWritesClient> {
    const services = new ServiceClient({ natsUrl, name, logger, defaultTimeoutMs });
    await services.onModuleInit();
    return new ReadYourWritesClient(services);
  }

  /** A write made behind the service's back (events appended directly) that reads must see. */
  saw(position: Position): void {
    this.newest = this.newest ? maxPosition(this.newest, position) : position;
  }

  /** With no caller when null (another service, the gateway itself). */
  async request<Data>(
    subject: string,
    payload: unknown,
    caller: Caller | null,
    { serviceCredential }: { serviceCredential?: string } = {},
  ): Promise<ServiceReply<Data>> {
    const requestId = newRequestId();
    const reply = await this.services.request<Data>(
      subject,
      payload,
      {
        requestId,
        correlationId: requestId,
        causationId: requestId,
        caller: caller ?? undefined,
        minPosition: this.newest,
      },
      { serviceCredential },
    );
    const position = reply.position ? parsePosition(reply.position) : null;
    if (position) this.saw(position);
    return reply;
  }

  close(): Promise<void> {
    return this.services.onApplicationShutdown();
  }
}
