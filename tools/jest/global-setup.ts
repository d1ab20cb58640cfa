// Runs once before the tests: the test database must exist before any suite connects to it.
// It reuses the services' own start-up routine rather than a copy of it.
import { ensureDatabase } from '../../libs/shared/event-store/src/postgres/ensure-database';
import { testDatabaseUrl } from '../../libs/shared/testing/src/database';

export default async function globalSetup(): Promise<void> {
  await ensureDatabase(testDatabaseUrl());
}
