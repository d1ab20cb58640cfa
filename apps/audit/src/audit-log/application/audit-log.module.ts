import { Module } from '@nestjs/common';
import { AuditEntriesQuery } from '../infrastructure/audit-entries.query';
import { AuditLogHandlers } from './audit-log.handlers';

@Module({
  controllers: [AuditLogHandlers],
  providers: [AuditEntriesQuery],
})
export class AuditLogModule {}
