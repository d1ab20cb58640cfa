import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startMembership } from './bootstrap';

runService(() => startMembership());
