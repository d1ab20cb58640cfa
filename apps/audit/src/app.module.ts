import { Module, type DynamicModule } from '@nestjs/common';
import { EventSourcingModule } from '@orgplane/event-sourcing';
import type { Logger } from '@orgplane/messaging';
import { AUDIT_CONFIG, type AuditConfig } from './audit.config';
import { AuditLogModule } from './audit-log';
import { HistoryModule } from './history';
import { auditProjections } from './read-models';

@Module({})
export class AppModule {
  static register(config: AuditConfig, _logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        EventSourcingModule.forService(config, {
          entities: [],
          projections: auditProjections,
        }),
        AuditLogModule,
        HistoryModule,
      ],
      providers: [{ provide: AUDIT_CONFIG, useValue: config }],
      exports: [AUDIT_CONFIG],
    };
  }
}
