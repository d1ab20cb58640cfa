/**
 * Reads RFC 4180 CSV (quoted fields, doubled quotes, line breaks inside quotes, CRLF records) into
 * records of fields: how a spreadsheet or a script would read an export, written apart from the
 * gateway's writer so a test of one checks the other.
 */
export function readCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else if (char === '"') {
        quoted = false;
      } else {
        field += char;
      }
    } else if (char === '"') {
      quoted = true;
    } else if (char === ',') {
      record.push(field);
      field = '';
    } else if (char === '\r' && text[at + 1] === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      at += 1;
    } else {
      field += char;
    }
  }
  if (field !== '' || record.length > 0) throw new Error('CSV does not end with CRLF');
  return records;
}

/** Records as objects keyed by the header row's names. */
export function readCsvObjects(text: string): Record<string, string>[] {
  const [header, ...rows] = readCsv(text);
  return rows.map((row) => Object.fromEntries(header.map((name, index) => [name, row[index]])));
}

const JSON_COLUMNS = new Set(['targets', 'attributes', 'cause']);
const NUMBER_COLUMNS = new Set(['sequence']);

/**
 * An audit export's CSV record read back into the entry it came from: empty cells are null,
 * nested fields JSON, and a `'` the export put before a formula-like cell is dropped again.
 */
export function auditEntryFromCsv(record: Record<string, string>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(record).map(([column, cell]) => {
      const text = /^'[=+\-@\t\r]/.test(cell) ? cell.slice(1) : cell;
      if (text === '') return [column, null];
      if (JSON_COLUMNS.has(column)) return [column, JSON.parse(text)];
      if (NUMBER_COLUMNS.has(column)) return [column, Number(text)];
      return [column, text];
    }),
  );
}
