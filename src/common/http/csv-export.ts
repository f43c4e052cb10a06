import { StreamableFile } from '@nestjs/common';
import { Readable, pipeline } from 'node:stream';
import { stringify } from 'csv-stringify';

/** One column of an export: its header and how a row fills it. */
export interface CsvColumn<Row> {
  header: string;
  value: (row: Row) => string | null;
  /**
   * A column of plain decimal numbers (money, ids). It is written as it is:
   * "-5.00000000" is a number to a spreadsheet, not a formula, and must stay
   * one. Every other column is text and is escaped.
   */
  numeric?: boolean;
}

/** Characters a spreadsheet reads as the start of a formula in a cell. */
const FORMULA_START = new Set(['=', '+', '-', '@', '\t', '\r']);

/**
 * A text cell made safe to open in a spreadsheet: one that would start a
 * formula gets a leading apostrophe, so "=HYPERLINK(…)" typed into a remark
 * is shown as text and never run. (csv-stringify's own escape_formulas
 * would also turn every negative amount into text.)
 */
export function escapeFormula(cell: string): string {
  return FORMULA_START.has(cell[0]) ? `'${cell}` : cell;
}

/**
 * Rows as a CSV download, streamed: a batch is read only when the client has
 * taken the previous one, so an export of a million rows holds one batch in
 * memory, not the file. UTF-8 with a byte-order mark (so spreadsheets read
 * Chinese names right), a header row, text cells escaped against formula
 * injection.
 */
export function csvFile<Row>(filename: string, columns: CsvColumn<Row>[], batches: AsyncIterable<Row[]>): StreamableFile {
  const numeric = new Set(columns.flatMap((column, index) => (column.numeric ? [index] : [])));
  const csv = stringify({
    bom: true,
    header: true,
    columns: columns.map((column) => column.header),
    cast: { string: (cell, context) => (context.header || numeric.has(context.index) ? cell : escapeFormula(cell)) },
  });
  async function* records(): AsyncGenerator<string[]> {
    for await (const batch of batches) {
      for (const row of batch) yield columns.map((column) => column.value(row) ?? '');
    }
  }
  // A failure half-way (the database gone) ends the response early; StreamableFile logs it and closes the connection.
  pipeline(Readable.from(records()), csv, () => undefined);
  return new StreamableFile(csv, { type: 'text/csv; charset=utf-8', disposition: `attachment; filename="${filename}"` });
}

/** A file name stamped with the time of the export: orders-20261123T101500Z.csv. */
export function exportFilename(prefix: string, at = new Date()): string {
  return `${prefix}-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}.csv`;
}
