import type { SecretEvent } from '@orgplane/contracts';
import { deciderSpecification } from '@orgplane/testing';
import {
  dataKeyDestructionDecider,
  type RecordDataKeyDestroyed,
} from './data-key-destruction.decider';

const spec = deciderSpecification(dataKeyDestructionDecider);

const organizationId = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const cause = {
  reason: 'organization_deleted' as const,
  eventId: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
  eventType: 'OrganizationDeleted',
};
const now = new Date('2026-03-01T12:00:00.000Z');
const record: RecordDataKeyDestroyed = {
  type: 'RecordDataKeyDestroyed',
  data: { organizationId, cause },
  metadata: { now },
};
const created: SecretEvent = {
  type: 'DataKeyCreated',
  data: { organizationId, masterKeyId: 'cfg:0123456789abcdef', createdAt: now.toISOString() },
};
const destroyed: SecretEvent = {
  type: 'DataKeyDestroyed',
  data: { organizationId, cause, destroyedAt: now.toISOString() },
};

describe('recording a data key destroyed', () => {
  it('records it for a key that was made, and for an organization that never had one', () => {
    spec.given([created]).when(record).then([destroyed]);
    spec.given([]).when(record).then([destroyed]);
  });

  it('records nothing the second time, as on a replay', () => {
    spec.given([created, destroyed]).when(record).then([]);
  });
});
