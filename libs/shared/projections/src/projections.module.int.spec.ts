import { Test } from '@nestjs/testing';
// Specs may use the testing library; the tag rules only mean to keep it out of production code.
import { eventually } from '@orgplane/testing';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { ProjectionRunners, ProjectionsModule } from './projections.module';
import { memberAdded, ORG_MEMBERS, orgMembersProjection } from './testing/org-members.fixture';
import { openDataSource, openHarness, type ProjectionHarness } from './testing/projection-harness';
import { waitForProjections } from './wait-for-projections';

let dataSource: DataSource;
let harness: ProjectionHarness;

beforeAll(async () => {
  dataSource = await openDataSource();
  harness = await openHarness(dataSource);
});
afterAll(async () => {
  await harness.close();
  await dataSource.destroy();
});

describe('ProjectionsModule', () => {
  it('starts the runners when the application boots and stops them at shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ProjectionsModule.forRootAsync({
          useFactory: () => ({
            store: harness.store,
            dataSource,
            projections: [orgMembersProjection()],
            runner: { schema: harness.schema, logger: { log() {}, warn() {}, error() {} } },
          }),
        }),
      ],
    }).compile();
    const app = await moduleRef.init();
    const runner = app.get(ProjectionRunners).get(ORG_MEMBERS);
    await eventually(() => expect(runner.status.state).toBe('running'));

    const orgId = `org-${randomUUID()}`;
    const { position } = await harness.store.append(`organization-${orgId}`, [
      memberAdded(orgId, 'u1'),
    ]);
    expect(
      await waitForProjections(dataSource, harness.schema, [ORG_MEMBERS], position, 2000),
    ).toBe(true);

    await app.close();
    expect(runner.status.state).toBe('stopped');
  });
});
