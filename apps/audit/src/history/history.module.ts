import { Module } from '@nestjs/common';
import { EVENT_STORE } from '@orgplane/event-sourcing';
import type { EventStore } from '@orgplane/event-store';
import { DataSource } from 'typeorm';
import { AUDIT_CONFIG, type AuditConfig } from '../audit.config';
import { HistoryHandlers } from './application/history.handlers';
import { OrganizationHistory } from './application/organization-history';
import { HistorySnapshotsQuery } from './infrastructure/history-snapshots.query';

@Module({
  controllers: [HistoryHandlers],
  providers: [
    {
      provide: OrganizationHistory,
      inject: [EVENT_STORE, DataSource, AUDIT_CONFIG],
      useFactory: (store: EventStore, dataSource: DataSource, config: AuditConfig) =>
        new OrganizationHistory(
          store,
          new HistorySnapshotsQuery(
            (text, parameters) => dataSource.query(text, parameters),
            config.READ_MODEL_SCHEMA,
          ),
        ),
    },
  ],
})
export class HistoryModule {}
