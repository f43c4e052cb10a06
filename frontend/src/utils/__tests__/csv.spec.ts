import { afterEach, describe, expect, it, vi } from 'vitest';
import { csvField, downloadText, redeemBatchCsv, redeemBatchCsvFilename, toCsv } from '../csv';
import type { CreatedRedeemBatch } from '../../api/types';

describe('csvField', () => {
  it.each([
    ['ABCD-EFGH-JKMN-PQRS', 'ABCD-EFGH-JKMN-PQRS'],
    ['5.00000000', '5.00000000'],
    [12, '12'],
    [null, ''],
    [undefined, ''],
    ['', ''],
    // RFC 4180: a comma, a double quote, CR or LF → quoted, inner quotes doubled
    ['Spring, shop flyers', '"Spring, shop flyers"'],
    ['the "VIP" list', '"the ""VIP"" list"'],
    ['line one\nline two', '"line one\nline two"'],
    ['a\r\nb', '"a\r\nb"'],
    ['"', '""""'],
    // formulas are defused with a leading single quote
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+1', "'+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
    ['\rcmd', `"'\rcmd"`],
    ['=1,2', `"'=1,2"`],
    // only the first character counts
    ['a=b', 'a=b'],
    ['Note - with dash', 'Note - with dash'],
    ["'quoted already", "'quoted already"],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });
});

describe('toCsv', () => {
  it('joins fields with commas and ends every record with CRLF', () => {
    expect(toCsv([['a', 'b'], ['1', null, '=x']])).toBe("a,b\r\n1,,'=x\r\n");
    expect(toCsv([])).toBe('');
  });
});

describe('redeemBatchCsv', () => {
  const batch: CreatedRedeemBatch = {
    batchId: '12',
    amountUsd: '5.00000000',
    maxRedemptions: 3,
    expiresAt: '2027-01-01T00:00:00.000Z',
    note: '=cmd|"/c calc"!A1, spring',
    codes: ['ABCD-EFGH-JKMN-PQRS', 'WXYZ-2345-6789-ABCD'],
  };

  it('has the header and one row per code with the batch fields, escaped', () => {
    const note = `"'=cmd|""/c calc""!A1, spring"`;
    expect(redeemBatchCsv(batch)).toBe(
      'code,amount_usd,max_redemptions,expires_at,batch_id,note\r\n' +
        `ABCD-EFGH-JKMN-PQRS,5.00000000,3,2027-01-01T00:00:00.000Z,12,${note}\r\n` +
        `WXYZ-2345-6789-ABCD,5.00000000,3,2027-01-01T00:00:00.000Z,12,${note}\r\n`,
    );
  });

  it('leaves expires_at empty for a batch that never expires; a plain note stays unquoted', () => {
    const csv = redeemBatchCsv({ ...batch, expiresAt: null, note: 'Flyers', codes: ['AAAA-BBBB-CCCC-DDDD'] });
    expect(csv.split('\r\n')).toEqual(['code,amount_usd,max_redemptions,expires_at,batch_id,note', 'AAAA-BBBB-CCCC-DDDD,5.00000000,3,,12,Flyers', '']);
  });

  it('names the file after the batch', () => {
    expect(redeemBatchCsvFilename('12')).toBe('redeem-batch-12.csv');
  });
});

describe('downloadText', () => {
  // jsdom has no object URLs: these two are put in place for the test and taken away after.
  const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
  afterEach(() => {
    vi.useRealTimers();
    URL.createObjectURL = original.create;
    URL.revokeObjectURL = original.revoke;
  });

  it('clicks a download link to an object URL of a CSV blob (with a UTF-8 BOM), then revokes it', async () => {
    vi.useFakeTimers();
    const blobs: Blob[] = [];
    const create = vi.fn((b: Blob) => {
      blobs.push(b);
      return 'blob:test/1';
    });
    const revoke = vi.fn();
    URL.createObjectURL = create;
    URL.revokeObjectURL = revoke;
    const clicked: { href: string; download: string }[] = [];
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.getAttribute('href') ?? '', download: this.download });
    });

    downloadText('redeem-batch-12.csv', 'code\r\nA\r\n');

    expect(click).toHaveBeenCalledOnce();
    expect(clicked).toEqual([{ href: 'blob:test/1', download: 'redeem-batch-12.csv' }]);
    expect(document.querySelector('a[download]')).toBeNull(); // the link is removed again
    expect(blobs[0]!.type).toBe('text/csv;charset=utf-8');
    const bytes = new Uint8Array(await blobs[0]!.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(new TextDecoder().decode(bytes.slice(3))).toBe('code\r\nA\r\n');
    expect(revoke).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1000);
    expect(revoke).toHaveBeenCalledWith('blob:test/1');
  });
});
