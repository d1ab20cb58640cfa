import type { AuditEntry, ServiceReply } from '@orgplane/contracts';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { auditEntryFromCsv, readCsv, readCsvObjects } from '../support/csv';
import { openAuditExport, type AuditExportPageSource } from '../../src/activity/audit-export';
import { AUDIT_CSV_COLUMNS, csvRecord, ndjsonLine } from '../../src/activity/audit-export-format';

function entry(sequence: number, changes: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id: `00000000-0000-4000-8000-${String(sequence).padStart(12, '0')}`,
    orgId: '0f8fad5b-d9cb-469f-a165-70867728950e',
    sequence,
    eventType: 'member.role_changed',
    actorType: 'user',
    actorUserId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
    actorApiKeyId: null,
    actorSystemId: null,
    resourceType: 'member',
    resourceId: '16fd2706-8baf-433b-82eb-8c7fada847da',
    targets: [{ type: 'member', id: '16fd2706-8baf-433b-82eb-8c7fada847da', name: 'Ada' }],
    attributes: { from: 'member', to: 'admin' },
    cause: null,
    requestId: 'req_01',
    correlationId: 'req_01',
    ip: '203.0.113.9',
    userAgent: 'orgplane-cli/1.4',
    createdAt: '2026-11-24T12:00:00.000Z',
    position: `${sequence}:0`,
    hash: 'a'.repeat(64),
    previousHash: '0'.repeat(64),
    ...changes,
  };
}

async function textOf(stream: Readable): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text;
}

/** Pages of `size` entries, `count` in all; records every cursor it is asked for. */
function pagesOf(count: number, size: number, padding = '') {
  const asked: (string | undefined)[] = [];
  const source: AuditExportPageSource = async (cursor) => {
    asked.push(cursor);
    const from = cursor ? Number(cursor) : 0;
    const to = Math.min(from + size, count);
    const data = Array.from({ length: to - from }, (_, index) =>
      entry(from + index + 1, { userAgent: `agent ${padding}` }),
    );
    const reply: ServiceReply<AuditEntry[]> = {
      data,
      page: { hasMore: to < count, nextCursor: to < count ? String(to) : null },
    };
    return reply;
  };
  return { source, asked };
}

describe('audit export formats', () => {
  it('NDJSON: one entry a line, read back as it was', () => {
    const entries = [entry(1), entry(2, { userAgent: 'line\nbreak "quoted"' })];
    const text = entries.map(ndjsonLine).join('');
    expect(text.split('\n')).toHaveLength(3);
    expect(
      text
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual(entries);
  });

  it('CSV: quoting per RFC 4180, nested fields as JSON, null as empty', () => {
    const tricky = entry(7, {
      userAgent: 'Mozilla/5.0 (X11, "quoted")\r\nsecond line',
      cause: { entryId: '9b2c', action: 'member.removed' },
      actorUserId: null,
    });
    const [record] = readCsv(csvRecord(tricky));
    expect(record).toHaveLength(AUDIT_CSV_COLUMNS.length);
    const cell = (column: (typeof AUDIT_CSV_COLUMNS)[number]) =>
      record[AUDIT_CSV_COLUMNS.indexOf(column)];
    expect(cell('userAgent')).toBe('Mozilla/5.0 (X11, "quoted")\r\nsecond line');
    expect(JSON.parse(cell('targets'))).toEqual(tricky.targets);
    expect(JSON.parse(cell('cause'))).toEqual(tricky.cause);
    expect(cell('actorUserId')).toBe('');
    expect(cell('sequence')).toBe('7');
  });

  it('CSV: a cell that would start a spreadsheet formula starts with a quote mark instead', () => {
    for (const attack of ['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tx']) {
      const [record] = readCsv(csvRecord(entry(1, { userAgent: attack })));
      expect(record[AUDIT_CSV_COLUMNS.indexOf('userAgent')]).toBe(`'${attack}`);
    }
    const [plain] = readCsv(csvRecord(entry(1, { userAgent: 'curl/8.5' })));
    expect(plain[AUDIT_CSV_COLUMNS.indexOf('userAgent')]).toBe('curl/8.5');
  });
});

describe('audit export stream', () => {
  const noFailure = () => {
    throw new Error('no failure expected');
  };

  it('streams every page, in order, in either format', async () => {
    const ndjson = pagesOf(5, 2);
    const lines = (await textOf(await openAuditExport(ndjson.source, 'ndjson', noFailure)))
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => line.sequence)).toEqual([1, 2, 3, 4, 5]);
    expect(ndjson.asked).toEqual([undefined, '2', '4']);

    const csv = pagesOf(5, 2);
    const records = readCsvObjects(
      await textOf(await openAuditExport(csv.source, 'csv', noFailure)),
    );
    expect(records.map(auditEntryFromCsv)).toEqual(lines);
  });

  it('an empty range: a CSV with its header alone, an empty NDJSON', async () => {
    const none = pagesOf(0, 10);
    expect(await textOf(await openAuditExport(none.source, 'csv', noFailure))).toBe(
      `${AUDIT_CSV_COLUMNS.join(',')}\r\n`,
    );
    expect(await textOf(await openAuditExport(pagesOf(0, 10).source, 'ndjson', noFailure))).toBe(
      '',
    );
  });

  it('asks for the next page only once the reader has taken the one before', async () => {
    // Pages of about 100 KB, far over the stream's buffer.
    const { source, asked } = pagesOf(300, 100, 'x'.repeat(1000));
    const stream = await openAuditExport(source, 'ndjson', noFailure);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked).toEqual([undefined]);

    const reader = stream[Symbol.asyncIterator]();
    let read = 0;
    while (read < 100) {
      await reader.next();
      read += 1;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(asked.length).toBeLessThanOrEqual(2);
    await reader.return?.();
  });

  it('a refusal of the first page is thrown before any byte is sent', async () => {
    const refused = new Error('forbidden');
    await expect(openAuditExport(() => Promise.reject(refused), 'ndjson', noFailure)).rejects.toBe(
      refused,
    );
  });

  it('a failure after the start is reported and breaks the stream', async () => {
    const { source } = pagesOf(4, 2);
    const broken = new Error('service gone');
    const failures: unknown[] = [];
    const stream = await openAuditExport(
      (cursor) => (cursor ? Promise.reject(broken) : source(cursor)),
      'ndjson',
      (error) => failures.push(error),
    );
    stream.resume();
    const [error] = await once(stream, 'error');
    expect(error).toBe(broken);
    expect(failures).toEqual([broken]);
  });
});
