import { Readable } from 'node:stream';
import type { AuditEntry, ServiceReply } from '@orgplane/contracts';
import { csvHeader, csvRecord, ndjsonLine, type AuditExportFormat } from './audit-export-format';

/** One page of an export from the audit service, after `cursor` (the first page without one). */
export type AuditExportPageSource = (
  cursor: string | undefined,
) => Promise<ServiceReply<AuditEntry[]>>;

/**
 * The export as a byte stream, page by page. The first page is asked for before anything is
 * sent, so a refusal or an unavailable service is still an ordinary error reply. After that the
 * status is out: a failure is handed to `onLateFailure` (to log it) and breaks the stream, so the
 * client sees a transfer cut short rather than a complete-looking file.
 *
 * Each entry is one chunk of a byte stream (highWaterMark in bytes): the next page is asked for
 * only once the socket has taken what came before, so at most one page and the stream's buffer
 * sit in memory whatever the range, and a client that goes away stops the paging.
 */
export async function openAuditExport(
  nextPage: AuditExportPageSource,
  format: AuditExportFormat,
  onLateFailure: (error: unknown) => void,
): Promise<Readable> {
  const first = await nextPage(undefined);
  const formatEntry = format === 'csv' ? csvRecord : ndjsonLine;

  async function* chunks(): AsyncGenerator<string> {
    if (format === 'csv') yield csvHeader();
    let page = first;
    try {
      for (;;) {
        for (const entry of page.data) yield formatEntry(entry);
        const cursor = page.page?.hasMore ? page.page.nextCursor : null;
        if (!cursor) return;
        page = await nextPage(cursor);
      }
    } catch (error) {
      onLateFailure(error);
      throw error;
    }
  }

  return Readable.from(chunks(), { objectMode: false });
}
