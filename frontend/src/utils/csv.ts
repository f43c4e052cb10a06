import type { CreatedRedeemBatch } from '../api/types';

export type CsvValue = string | number | null | undefined;

/** First characters that make a spreadsheet read a cell as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: a cell that a spreadsheet would run as a formula gets a leading
 * single quote; then RFC 4180 quoting — a field holding a comma, a double quote,
 * CR or LF is wrapped in double quotes, inner double quotes doubled.
 * null / undefined are empty fields.
 */
export function csvField(value: CsvValue): string {
  let text = value === null || value === undefined ? '' : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Rows as CSV text (RFC 4180): fields by commas, each record ended by CRLF. */
export function toCsv(rows: readonly (readonly CsvValue[])[]): string {
  return rows.map((row) => `${row.map(csvField).join(',')}\r\n`).join('');
}

export const REDEEM_CSV_HEADER = ['code', 'amount_usd', 'max_redemptions', 'expires_at', 'batch_id', 'note'] as const;

/**
 * A created batch's codes as a spreadsheet, one row per code — the same columns
 * as the API's own `Accept: text/csv` answer. Amounts stay the API's decimal strings.
 */
export function redeemBatchCsv(batch: CreatedRedeemBatch): string {
  return toCsv([
    REDEEM_CSV_HEADER,
    ...batch.codes.map((code) => [code, batch.amountUsd, batch.maxRedemptions, batch.expiresAt ?? '', batch.batchId, batch.note]),
  ]);
}

export function redeemBatchCsvFilename(batchId: string): string {
  return `redeem-batch-${batchId.replace(/[^\w-]/g, '_')}.csv`;
}

/**
 * Saves text as a file through a Blob and an object URL (nothing is sent
 * anywhere). CSV gets a UTF-8 byte-order mark so that spreadsheet programs read
 * non-ASCII notes (e.g. Chinese) as UTF-8.
 */
export function downloadText(filename: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const bom = type.startsWith('text/csv') ? '\uFEFF' : '';
  saveBlob(filename, new Blob([bom, text], { type }));
}

/**
 * Saves a Blob (e.g. a file the server sent, see `getFile` in api/http.ts) under
 * `filename`: an object URL, a temporary `<a download>` clicked once and
 * removed, and the URL revoked shortly after.
 */
export function saveBlob(filename: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  try {
    a.click();
  } finally {
    a.remove();
    // Revoked after the click has been handled: revoking at once can cancel the download in some browsers.
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
