import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { formatRows, parseFormat, Printer, toPlainValue } from '../../src/cli/output.js';
import { CliError } from '../../src/lib/errors.js';

/** A writable stream that keeps what it is given. */
function collector(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

describe('parseFormat', () => {
  it('defaults to a table on a TTY and JSON elsewhere', () => {
    assert.equal(parseFormat(undefined, true), 'table');
    assert.equal(parseFormat(undefined, false), 'json');
  });

  it('accepts each format, ignoring case', () => {
    assert.equal(parseFormat('csv', true), 'csv');
    assert.equal(parseFormat('ndjson', true), 'ndjson');
    assert.equal(parseFormat('table', false), 'table');
    assert.equal(parseFormat('JSON', true), 'json');
  });

  it('rejects an unknown format with a usage error listing the allowed values', () => {
    assert.throws(
      () => parseFormat('xml', true),
      (err: unknown) => {
        assert.ok(err instanceof CliError);
        assert.equal(err.exitCode, 2);
        assert.equal(err.message, "unknown --format 'xml': expected one of table, json, csv, ndjson");
        return true;
      },
    );
    assert.throws(() => parseFormat('', false), CliError);
  });
});

describe('value conversion', () => {
  it('turns safe bigints into numbers and others into strings', () => {
    assert.equal(toPlainValue(10n), 10);
    assert.equal(toPlainValue(-10n), -10);
    assert.equal(toPlainValue(2n ** 70n), '1180591620717411303424');
    assert.equal(toPlainValue(BigInt(Number.MAX_SAFE_INTEGER)), Number.MAX_SAFE_INTEGER);
    assert.equal(toPlainValue(BigInt(Number.MAX_SAFE_INTEGER) + 1n), '9007199254740992');
  });

  it('prints midnight-UTC dates as dates and other times in full', () => {
    assert.equal(toPlainValue(new Date('2025-09-30T00:00:00Z')), '2025-09-30');
    assert.equal(toPlainValue(new Date('2025-09-30T12:34:56.789Z')), '2025-09-30T12:34:56.789Z');
    assert.equal(toPlainValue(new Date('1969-12-31T00:00:00Z')), '1969-12-31');
  });

  it('converts nested values', () => {
    assert.deepEqual(toPlainValue({ a: [1n, new Date('2024-01-01T00:00:00Z')], b: { c: 2n ** 64n } }), {
      a: [1, '2024-01-01'],
      b: { c: '18446744073709551616' },
    });
  });
});

describe('formatRows json', () => {
  it('prints a pretty array with converted values', () => {
    const rows = [{ id: 10n, big: 2n ** 70n, day: new Date('2025-01-02T00:00:00Z') }];
    assert.equal(
      formatRows(rows, 'json'),
      '[\n  {\n    "id": 10,\n    "big": "1180591620717411303424",\n    "day": "2025-01-02"\n  }\n]\n',
    );
  });

  it('prints [] for no rows', () => {
    assert.equal(formatRows([], 'json'), '[]\n');
  });

  it('projects rows onto the given columns', () => {
    const rows = [{ a: 1, b: 2, c: 3 }, { a: 4 }];
    assert.equal(
      formatRows(rows, 'json', { columns: ['c', 'a'] }),
      '[\n  {\n    "c": 3,\n    "a": 1\n  },\n  {\n    "c": null,\n    "a": 4\n  }\n]\n',
    );
  });
});

describe('formatRows ndjson', () => {
  it('prints one compact object per line', () => {
    const rows = [{ fy: 2025, n: 60311n }, { fy: 2024, n: null, at: new Date('2024-06-01T08:00:00Z') }];
    assert.equal(
      formatRows(rows, 'ndjson'),
      '{"fy":2025,"n":60311}\n{"fy":2024,"n":null,"at":"2024-06-01T08:00:00.000Z"}\n',
    );
  });

  it('prints nothing for no rows', () => {
    assert.equal(formatRows([], 'ndjson'), '');
  });
});

describe('formatRows csv', () => {
  it('quotes fields with commas, quotes and line breaks', () => {
    const rows = [
      { name: 'Adelanto, CA', note: 'the "big" one', text: 'line 1\nline 2' },
      { name: 'plain', note: 'cr\rhere', text: '' },
    ];
    assert.equal(
      formatRows(rows, 'csv'),
      'name,note,text\n"Adelanto, CA","the ""big"" one","line 1\nline 2"\nplain,"cr\rhere",\n',
    );
  });

  it('prints nulls as empty, converts bigints and dates, and writes structures as JSON', () => {
    const rows = [{ a: null, b: undefined, c: 10n, d: 2n ** 70n, e: new Date('2025-03-04T00:00:00Z'), f: ['x', 1] }];
    assert.equal(formatRows(rows, 'csv'), 'a,b,c,d,e,f\n,,10,1180591620717411303424,2025-03-04,"[""x"",1]"\n');
  });

  it('unions keys in first-seen order, or uses the given columns', () => {
    const rows = [{ a: 1, b: 2 }, { c: 3, a: 4 }];
    assert.equal(formatRows(rows, 'csv'), 'a,b,c\n1,2,\n4,,3\n');
    assert.equal(formatRows(rows, 'csv', { columns: ['c', 'a'] }), 'c,a\n,1\n3,4\n');
  });

  it('prints only the header for no rows when columns are given', () => {
    assert.equal(formatRows([], 'csv'), '');
    assert.equal(formatRows([], 'csv', { columns: ['a', 'b,c'] }), 'a,"b,c"\n');
  });
});

describe('formatRows table', () => {
  it('aligns columns, right-aligns numbers and groups thousands', () => {
    const rows = [
      { facility: 'Adelanto ICE Processing Center', population: 60311, adp: 66978.048387 },
      { facility: 'Krome', population: -7, adp: -0.001 },
      { facility: 'Otay Mesa', population: null, adp: 0 },
    ];
    assert.equal(
      formatRows(rows, 'table'),
      [
        'facility                        population        adp',
        '------------------------------  ----------  ---------',
        'Adelanto ICE Processing Center      60,311  66,978.05',
        'Krome                                   -7          0',
        'Otay Mesa                                           0',
        '',
      ].join('\n'),
    );
  });

  it('prints up to 2 decimals without padding', () => {
    assert.equal(formatRows([{ x: 1.5 }, { x: 1234.5678 }, { x: 2 }], 'table'), '       x\n--------\n     1.5\n1,234.57\n       2\n');
  });

  it('prints bigints, dates, arrays and objects', () => {
    const rows = [
      { n: 1234567n, big: 2n ** 70n, day: new Date('2025-09-30T00:00:00Z'), tags: ['a', 'b'], meta: { k: 1 } },
    ];
    assert.equal(
      formatRows(rows, 'table'),
      [
        '        n  big                     day         tags  meta',
        '---------  ----------------------  ----------  ----  -------',
        '1,234,567  1180591620717411303424  2025-09-30  a, b  {"k":1}',
        '',
      ].join('\n'),
    );
  });

  it('truncates long cells to 60 characters and flattens line breaks', () => {
    const long = 'x'.repeat(70);
    const out = formatRows([{ v: long }, { v: 'two\nlines' }], 'table');
    const lines = out.split('\n');
    assert.equal(lines[2], 'x'.repeat(59) + '…');
    assert.equal(lines[3], 'two lines');
    assert.equal(lines[1], '-'.repeat(60));
  });

  it('follows the column option', () => {
    const rows = [{ a: 1, b: 'x', c: true }];
    assert.equal(formatRows(rows, 'table', { columns: ['c', 'a'] }), 'c     a\n----  -\ntrue  1\n');
  });

  it('says so when there are no rows', () => {
    assert.equal(formatRows([], 'table'), '(no rows)\n');
    assert.equal(formatRows([], 'table', { columns: ['a'] }), '(no rows)\n');
  });
});

describe('Printer', () => {
  it('writes rows and lines to out and warnings to err', () => {
    const out = collector();
    const err = collector();
    const printer = new Printer(out.stream, err.stream);
    printer.rows([{ a: 1 }], 'ndjson');
    printer.line('done');
    printer.warn('3 files skipped');
    assert.equal(out.text(), '{"a":1}\ndone\n');
    assert.equal(err.text(), 'warning: 3 files skipped\n');
  });
});
