/**
 * Cuts a worksheet part's bytes, given in pieces cut anywhere, into blocks of whole
 * `<row>` elements (the `<sheetData>` before them and what follows `</sheetData>` left
 * out), so that blocks can be read independently, on several threads. The pieces are
 * copied once, into the block being filled; each block has an ArrayBuffer of its own, to
 * be transferred to a worker thread without another copy, and handed back (`recycle`)
 * once read: fresh memory costs the kernel a page fault and zeroing per 4 kB.
 */

const HEAD = 0;
const ROWS = 1;
const DONE = 2;

export class RowBlocks {
  private block: Buffer;
  private len = 0;
  private state = HEAD;
  private readonly free: ArrayBuffer[] = [];

  /** `size`: a block is cut once this many bytes of rows are held. */
  constructor(private readonly size = 1 << 20) {
    this.block = this.take(size + (size >> 1));
  }

  /** A block that has been read, whose memory can hold another. */
  recycle(block: Uint8Array): void {
    if (this.free.length < 8 && block.buffer instanceof ArrayBuffer && block.buffer.byteLength >= this.size + (this.size >> 1)) this.free.push(block.buffer);
  }

  /** The blocks the piece completes (views of their own ArrayBuffers). */
  push(piece: Buffer): Buffer[] {
    if (this.state === DONE || piece.length === 0) return [];
    this.append(piece);
    if (this.state === HEAD) {
      // before the rows: only '<sheetData …>' is looked for (it may be cut between pieces)
      const view = this.block.subarray(0, this.len);
      const at = view.indexOf('<sheetData');
      const gt = at < 0 ? -1 : view.indexOf(62 /* > */, at);
      if (gt < 0) {
        const keep = at >= 0 ? at : Math.max(0, this.len - 10);
        this.block.copyWithin(0, keep, this.len);
        this.len -= keep;
        return [];
      }
      if (view[gt - 1] === 47 /* / */) {
        this.state = DONE; // <sheetData/>: no rows
        return [];
      }
      this.state = ROWS;
      this.block.copyWithin(0, gt + 1, this.len);
      this.len -= gt + 1;
    }
    const view = this.block.subarray(0, this.len);
    // '</sheetData>' follows the last row: looked for after the last '</row>' only, not in every byte
    const lastClose = view.lastIndexOf('</row>');
    const end = view.indexOf('</sheetData>', lastClose < 0 ? 0 : lastClose);
    if (end >= 0) {
      this.state = DONE;
      return end > 0 ? [this.cut(end)] : [];
    }
    if (this.len < this.size) return [];
    const cut = lastRowStart(view, 0);
    return cut > 0 ? [this.cut(cut)] : [];
  }

  /** Throws when the part ended before its rows did (a cut download). */
  end(part: string): void {
    if (this.state !== DONE) {
      throw new Error(`the sheet part ${part} ends ${this.state === HEAD ? 'before <sheetData>' : 'inside <sheetData>'} (truncated?)`);
    }
  }

  private append(piece: Buffer): void {
    if (this.len + piece.length > this.block.length) {
      const bigger = this.take(Math.max(this.block.length * 2, this.len + piece.length));
      this.block.copy(bigger, 0, 0, this.len);
      this.block = bigger;
    }
    piece.copy(this.block, this.len);
    this.len += piece.length;
  }

  /** The rows before `to` as a block; what follows starts the next one. */
  private cut(to: number): Buffer {
    const full = this.block;
    this.block = this.take(Math.max(this.size + (this.size >> 1), this.len - to + (this.size >> 1)));
    full.copy(this.block, 0, to, this.len);
    this.len -= to;
    return full.subarray(0, to);
  }

  private take(size: number): Buffer {
    const ab = this.free.pop();
    return ab && ab.byteLength >= size ? Buffer.from(ab) : Buffer.allocUnsafeSlow(size);
  }
}

/** Start of the last `<row` in `xml` after `start` (the rows before it are whole), or `start`. */
export function lastRowStart(xml: Buffer, start: number): number {
  let p = xml.length;
  for (;;) {
    if (p <= start) return start;
    p = xml.lastIndexOf('<row', p - 1);
    if (p < start) return start;
    const ch = xml[p + 4];
    if (ch === undefined || ch === 32 || ch === 62 || ch === 47 || ch === 9 || ch === 10 || ch === 13) return p;
  }
}
