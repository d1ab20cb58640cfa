import 'reflect-metadata';
import { runService } from '@orgplane/messaging';
import { startKeys } from './bootstrap';

runService(() => startKeys());
