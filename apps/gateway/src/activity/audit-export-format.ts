import type { AuditEntry } from '@orgplane/contracts';

export type AuditExportFormat = 'ndjson' | 'csv';

/** What each format's file is, as the response and its download name say. */
export const AUDIT_EXPORT_MEDIA: Record<AuditExportFormat, { type: string; extension: string }> = {
  ndjson: { type: 'application/x-ndjson; charset=utf-8', extension: 'ndjson' },
  csv: { type: 'text/csv; charset=utf-8; header=present', extension: 'csv' },
};

/**
 * The CSV's columns, in this order: an entry's fields as the JSON API names them, so either
 * format reads the same way.
 */
export const AUDIT_CSV_COLUMNS = [
  'id',
  'orgId',
  'sequence',
  'createdAt',
  'eventType',
  'actorType',
  'actorUserId',
  'actorApiKeyId',
  'actorSystemId',
  'resourceType',
  'resourceId',
  'targets',
  'attributes',
  'cause',
  'requestId',
  'correlationId',
  'ip',
  'userAgent',
  'position',
  'previousHash',
  'hash',
] as const satisfies readonly (keyof AuditEntry)[];

/** One entry, one line. */
export function ndjsonLine(entry: AuditEntry): string {
  return `${JSON.stringify(entry)}\n`;
}

export function csvHeader(): string {
  return csvRow(AUDIT_CSV_COLUMNS);
}

/** One entry, one record: nested fields (targets, attributes, cause) as JSON text in their cell. */
export function csvRecord(entry: AuditEntry): string {
  return csvRow(AUDIT_CSV_COLUMNS.map((column) => csvCellText(entry[column])));
}

function csvCellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/**
 * A spreadsheet runs a cell that starts like a formula (`=HYPERLINK(...)` as a user agent, a
 * resource name starting with `@`); a leading `'` makes it text there, as OWASP recommends.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: CRLF line ends; a field with a quote, comma or line break quoted, quotes doubled. */
function csvRow(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

function csvField(text: string): string {
  const safe = FORMULA_START.test(text) ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
