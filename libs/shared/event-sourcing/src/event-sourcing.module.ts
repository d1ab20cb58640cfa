import {
  Inject,
  Injectable,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import {
  createEventStore,
  keepClientErrorsFromCrashing,
  type EventStore,
  type Position,
} from '@orgplane/event-store';
import { ProjectionsModule, waitForProjections, type Projection } from '@orgplane/projections';
import { ServiceError } from '@orgplane/util';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { EventSourcedServiceConfig } from '@orgplane/messaging';

export interface EventSourcingOptions {
  databaseUrl: string;
  /** connections of the read-model pool; each active projection runner holds one */
  poolMax: number;
  /** `esdb://…` for EventStoreDB; PostgreSQL (`databaseUrl`) otherwise */
  eventStoreUrl?: string;
  eventStoreSchema?: string;
  readModelSchema: string;
  /** the read models' TypeORM entities */
  entities: TypeOrmModuleOptions['entities'];
  projections: Projection[];
  /** bound on every wait for the read models to reach a position */
  consistencyWaitMs: number;
}

/** Injection token of the service's EventStore. */
export const EVENT_STORE = Symbol('EVENT_STORE');
const EVENT_SOURCING_OPTIONS = Symbol('EVENT_SOURCING_OPTIONS');

@Injectable()
class EventStoreCloser implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Read-your-writes for one service: waits until all its projections have reached a position. */
@Injectable()
export class ReadModels {
  private readonly projectionNames: string[];

  constructor(
    @Inject(EVENT_SOURCING_OPTIONS) private readonly options: EventSourcingOptions,
    private readonly dataSource: DataSource,
  ) {
    this.projectionNames = options.projections.map((projection) => projection.name);
  }

  /** true once every projection has committed `position`; false when the bound ran out first */
  reached(position: Position): Promise<boolean> {
    return waitForProjections(
      this.dataSource,
      this.options.readModelSchema,
      this.projectionNames,
      position,
      this.options.consistencyWaitMs,
    );
  }

  /**
   * For queries that were handed a consistency position: answering from an older read model would
   * hide the caller's own write, so past the bound the answer is 503 `consistency_timeout`, which
   * is safe to retry.
   */
  async catchUpTo(position: Position | undefined): Promise<void> {
    if (position && !(await this.reached(position))) {
      throw new ServiceError(
        'unavailable',
        'consistency_timeout',
        'The data is not up to date yet; retry shortly',
      );
    }
  }
}

/** The read-model DataSource: TypeORM on PostgreSQL, in the service's schema. */
export function readModelDataSourceOptions(
  options: Pick<EventSourcingOptions, 'databaseUrl' | 'readModelSchema' | 'entities' | 'poolMax'>,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: options.databaseUrl,
    schema: options.readModelSchema,
    entities: options.entities,
    poolSize: options.poolMax,
    synchronize: false,
    extra: { onConnect: keepClientErrorsFromCrashing },
  };
}

/**
 * Persistence of an event-sourced service: its event store (`EVENT_STORE`), its read-model
 * DataSource (TypeORM, in the service's schema), its projection runners (started on boot, one
 * active instance each across processes), and `ReadModels` for read-your-writes.
 *
 * Shutdown order follows module depth: the runners stop before the store and the DataSource,
 * which sit one level deeper, close.
 */
@Module({})
export class EventSourcingModule {
  /** The module as every event-sourced service configures it: from its validated environment. */
  static forService(
    config: EventSourcedServiceConfig,
    readModels: Pick<EventSourcingOptions, 'entities' | 'projections'>,
  ): DynamicModule {
    return EventSourcingModule.forRoot({
      databaseUrl: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      eventStoreUrl: config.EVENTSTORE_URL,
      eventStoreSchema: config.EVENTSTORE_SCHEMA,
      readModelSchema: config.READ_MODEL_SCHEMA,
      consistencyWaitMs: config.CONSISTENCY_WAIT_MS,
      ...readModels,
    });
  }

  static forRoot(options: EventSourcingOptions): DynamicModule {
    const eventStoreModule: DynamicModule = {
      module: class EventStoreModule {},
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: () =>
            createEventStore({
              eventStoreUrl: options.eventStoreUrl,
              databaseUrl: options.databaseUrl,
              schema: options.eventStoreSchema,
            }),
        },
        EventStoreCloser,
      ],
      exports: [EVENT_STORE],
    };
    return {
      module: EventSourcingModule,
      global: true,
      imports: [
        TypeOrmModule.forRoot(readModelDataSourceOptions(options)),
        eventStoreModule,
        ProjectionsModule.forRootAsync({
          imports: [eventStoreModule],
          inject: [EVENT_STORE, DataSource],
          useFactory: (store: EventStore, dataSource: DataSource) => ({
            store,
            dataSource,
            projections: options.projections,
            runner: { schema: options.readModelSchema },
          }),
        }),
      ],
      providers: [{ provide: EVENT_SOURCING_OPTIONS, useValue: options }, ReadModels],
      exports: [eventStoreModule, ReadModels],
    };
  }
}
