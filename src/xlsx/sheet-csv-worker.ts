/**
 * A worker thread of sheet-csv-pool.ts. Alone, it reads a whole sheet part from the
 * workbook's file and writes its lines to the pipe it is given. One of several, it turns
 * the blocks of rows it is sent (row-blocks.ts) into lines, which it sends back, a buffer
 * of whole lines at a time, for the pool to write to the pipe; each block goes back with
 * its acknowledgement, to be filled again.
 */
import { parentPort } from 'node:worker_threads';
import { SourceFormatError } from '../lib/errors.js';
import type { CsvStrings } from './csv-text.js';
import { writeSheetCsv, type SheetCsvTask } from './sheet-csv-file.js';
import { SheetCsvWriter, type SheetCsvSpec } from './sheet-csv.js';

export type ToWorker =
  | { type: 'whole'; task: SheetCsvTask; strings: CsvStrings }
  | { type: 'sheet'; spec: SheetCsvSpec; strings: CsvStrings }
  | { type: 'rows'; block: Uint8Array }
  | { type: 'end' }
  | { type: 'stop' };
export type FromWorker =
  | { type: 'ack'; block: Uint8Array }
  | { type: 'lines'; bytes: Uint8Array }
  | { type: 'opened'; fd: number }
  | { type: 'done'; rows: number }
  | { type: 'error'; reason: string; code?: string; location?: SourceFormatError['location'] };

const port = parentPort!;
let writer: SheetCsvWriter | undefined;
let failed = false;

port.on('message', (msg: ToWorker) => {
  if (msg.type === 'stop') {
    port.close();
    return;
  }
  if (msg.type === 'whole') {
    writeSheetCsv(msg.task, msg.strings, (fd) => port.postMessage({ type: 'opened', fd } satisfies FromWorker)).then(
      (rows) => port.postMessage({ type: 'done', rows } satisfies FromWorker),
      (err: unknown) => port.postMessage(errorReply(err)),
    );
    return;
  }
  try {
    if (msg.type === 'sheet') {
      failed = false;
      writer = new SheetCsvWriter(msg.spec, msg.strings, (bytes) => {
        const copy = new Uint8Array(bytes.length);
        copy.set(bytes);
        port.postMessage({ type: 'lines', bytes: copy } satisfies FromWorker, [copy.buffer]);
      });
    } else if (msg.type === 'rows') {
      if (!failed) writer!.writeRows(Buffer.from(msg.block.buffer, msg.block.byteOffset, msg.block.byteLength));
      port.postMessage({ type: 'ack', block: msg.block } satisfies FromWorker, [msg.block.buffer as ArrayBuffer]);
    } else if (!failed) {
      writer!.finish();
      port.postMessage({ type: 'done', rows: writer!.rows } satisfies FromWorker);
    }
  } catch (err) {
    // one error per sheet; the pool stops sending
    failed = true;
    port.postMessage(errorReply(err));
  }
});

function errorReply(err: unknown): FromWorker {
  if (err instanceof SourceFormatError) return { type: 'error', reason: err.reason, location: err.location };
  return { type: 'error', reason: err instanceof Error ? err.message : String(err), code: (err as NodeJS.ErrnoException).code };
}
