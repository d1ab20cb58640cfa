import {
  type DynamicModule,
  Inject,
  Injectable,
  type InjectionToken,
  Logger,
  Module,
  type ModuleMetadata,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { EventStore } from '@orgplane/event-store';
import type { DataSource } from 'typeorm';
import type { Projection } from './projection';
import { ProjectionRunner, type ProjectionRunnerOptions } from './projection-runner';
import { closeCheckpointWatcher } from './wait-for-projections';

export interface ProjectionsModuleOptions {
  store: EventStore;
  /** the service's DataSource, whose `schema` holds the read models */
  dataSource: DataSource;
  projections: Projection[];
  runner?: ProjectionRunnerOptions;
}

export const PROJECTIONS_MODULE_OPTIONS = Symbol('PROJECTIONS_MODULE_OPTIONS');

/** Starts one runner per projection when the application is up, stops them at shutdown. */
@Injectable()
export class ProjectionRunners implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly runners: ReadonlyMap<string, ProjectionRunner>;
  private readonly dataSource: DataSource;

  constructor(@Inject(PROJECTIONS_MODULE_OPTIONS) options: ProjectionsModuleOptions) {
    const runnerOptions = { logger: new Logger('Projections'), ...options.runner };
    this.dataSource = options.dataSource;
    this.runners = new Map(
      options.projections.map((projection) => [
        projection.name,
        new ProjectionRunner(options.store, options.dataSource, projection, runnerOptions),
      ]),
    );
  }

  /** For health checks, lag metrics and rebuilds. */
  get(name: string): ProjectionRunner {
    const runner = this.runners.get(name);
    if (!runner) throw new Error(`No projection named ${name}`);
    return runner;
  }

  /** every runner of the service, for operations over all its read models */
  get all(): ProjectionRunner[] {
    return [...this.runners.values()];
  }

  onApplicationBootstrap(): void {
    for (const runner of this.runners.values()) runner.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.all([...this.runners.values()].map((runner) => runner.stop()));
    await closeCheckpointWatcher(this.dataSource);
  }
}

export interface ProjectionsModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: InjectionToken[];
  useFactory(
    ...dependencies: never[]
  ): ProjectionsModuleOptions | Promise<ProjectionsModuleOptions>;
}

@Module({})
export class ProjectionsModule {
  static forRootAsync(options: ProjectionsModuleAsyncOptions): DynamicModule {
    return {
      module: ProjectionsModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: PROJECTIONS_MODULE_OPTIONS,
          useFactory: options.useFactory,
          inject: options.inject ?? [],
        },
        ProjectionRunners,
      ],
      exports: [ProjectionRunners],
    };
  }
}
