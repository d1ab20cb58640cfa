import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EventStore } from '@orgplane/event-store';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import { ProjectionRunner } from '@orgplane/projections';
import { DataSource } from 'typeorm';
import { IDENTITY_CONFIG, type IdentityConfig } from '../../identity.config';
import { Workos } from './workos';
import { workosOrganizationsProjection } from './workos-organizations.projection';

/**
 * Runs the WorkOS mirror (workos-organizations.projection.ts) when WorkOS is configured. Its
 * runner is kept out of the service's read models on purpose: read-your-writes waits on those,
 * and a WorkOS outage, which stalls the mirror, must not stall sign-ins.
 *
 * One event per transaction, and each reducer calls WorkOS before it writes: while WorkOS
 * answers, the runner's transaction has no transaction id yet, so a slow WorkOS never holds back
 * the event store's readers, whose horizon is cluster-wide (ADR 0003).
 */
@Injectable()
export class WorkosMirror implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runner: ProjectionRunner | null;

  constructor(
    @Inject(IDENTITY_CONFIG) config: IdentityConfig,
    @Inject(EVENT_STORE) store: EventStore,
    dataSource: DataSource,
    workos: Workos,
  ) {
    this.runner =
      workos.connection &&
      new ProjectionRunner(
        store,
        dataSource,
        workosOrganizationsProjection(workos.connection.client),
        { schema: config.READ_MODEL_SCHEMA, batchSize: 1, logger: new Logger(WorkosMirror.name) },
      );
  }

  onApplicationBootstrap(): void {
    this.runner?.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.runner?.stop();
  }
}
