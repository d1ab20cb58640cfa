import { Module, type DynamicModule } from '@nestjs/common';
import type { Logger } from '@orgplane/messaging';
import { ACTIVITY_LOGGER, ActivityController } from './activity.controller';

/** The activity API: the audit log's entries, their export and the hash chain's check. */
@Module({})
export class ActivityModule {
  static register(logger: Logger): DynamicModule {
    return {
      module: ActivityModule,
      controllers: [ActivityController],
      providers: [{ provide: ACTIVITY_LOGGER, useValue: logger }],
    };
  }
}
