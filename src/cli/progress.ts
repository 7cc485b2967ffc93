/**
 * A progress bar for long work. It draws on stderr only, so stdout stays clean
 * for machine-readable output, and only on a terminal, so logs and pipes get
 * at most one summary line.
 */

export interface ProgressOptions {
  total: number;
  label: string;
  /** Where to draw; defaults to stderr. */
  stream?: NodeJS.WriteStream | NodeJS.WritableStream;
  /** False suppresses the bar (the summary line is still printed). Defaults to true. */
  enabled?: boolean;
  /** Minimum milliseconds between redraws; defaults to 100. */
  intervalMs?: number;
  /** Clock in milliseconds; injectable so tests are deterministic. */
  now?: () => number;
}

const BAR_WIDTH = 20;

/** `label [#####.....] 12/139 detail`, redrawn in place on a TTY. */
export class ProgressBar {
  private readonly total: number;
  private readonly label: string;
  private readonly stream: NodeJS.WriteStream | NodeJS.WritableStream;
  private readonly draws: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private count = 0;
  private detail = '';
  private lastDrawAt = Number.NEGATIVE_INFINITY;
  /** Length of the line currently on screen, to blank out leftovers of a longer one. */
  private drawnLength = 0;
  private finished = false;

  constructor(options: ProgressOptions) {
    this.total = Math.max(0, options.total);
    this.label = options.label;
    this.stream = options.stream ?? process.stderr;
    this.draws = options.enabled !== false && (this.stream as { isTTY?: boolean }).isTTY === true;
    this.intervalMs = options.intervalMs ?? 100;
    this.now = options.now ?? Date.now;
  }

  /** Counts one unit of work done; `detail` (e.g. a file name) is shown after the count. */
  tick(detail?: string): void {
    if (this.finished) return;
    this.count += 1;
    if (detail !== undefined) this.detail = detail;
    if (!this.draws) return;
    const now = this.now();
    if (now - this.lastDrawAt < this.intervalMs) return;
    this.lastDrawAt = now;
    this.draw(this.render());
  }

  /**
   * Ends the bar. On a TTY the final state is drawn (or replaced by `summary`)
   * and the line ended; elsewhere only `summary`, if given, is printed.
   */
  done(summary?: string): void {
    if (this.finished) return;
    this.finished = true;
    if (this.draws) {
      this.draw(summary ?? this.render());
      this.stream.write('\n');
    } else if (summary !== undefined) {
      this.stream.write(summary + '\n');
    }
  }

  private render(): string {
    const filled =
      this.total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((this.count / this.total) * BAR_WIDTH));
    const bar = '#'.repeat(filled) + '.'.repeat(BAR_WIDTH - filled);
    const detail = this.detail.replace(/[\r\n\t]+/g, ' ');
    return `${this.label} [${bar}] ${this.count}/${this.total}${detail === '' ? '' : ' ' + detail}`;
  }

  private draw(line: string): void {
    // A line that wraps cannot be redrawn with '\r', so keep it inside the terminal.
    const columns = (this.stream as { columns?: number }).columns;
    const chars = [...line];
    const fits = columns === undefined || columns <= 1 || chars.length < columns;
    const text = fits ? line : chars.slice(0, columns - 1).join('');
    const length = [...text].length;
    this.stream.write('\r' + text + ' '.repeat(Math.max(0, this.drawnLength - length)));
    this.drawnLength = length;
  }
}
