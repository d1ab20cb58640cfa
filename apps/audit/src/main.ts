import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startAudit } from './bootstrap';

runService(() => startAudit());
