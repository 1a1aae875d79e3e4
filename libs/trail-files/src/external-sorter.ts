import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { MinHeap } from './min-heap';

/** Turns items into single-line text and back, for spilling sorted runs to disk. */
export interface LineCodec<T> {
  encode(item: T): string;
  decode(line: string): T;
}

interface Entry<T> {
  time: number;
  seq: number;
  item: T;
}

function compareEntries<T>(a: Entry<T>, b: Entry<T>): number {
  return a.time - b.time || a.seq - b.seq;
}

const READ_CHUNK = 1 << 20;

class RunReader<T> {
  private buffer = '';
  private offset = 0;
  private eof = false;
  private readonly chunk = Buffer.allocUnsafe(READ_CHUNK);
  private readonly fd: number;

  constructor(
    path: string,
    private readonly codec: LineCodec<T>,
  ) {
    this.fd = openSync(path, 'r');
  }

  next(): Entry<T> | null {
    for (;;) {
      const newline = this.buffer.indexOf('\n', this.offset);
      if (newline !== -1) {
        const line = this.buffer.slice(this.offset, newline);
        this.offset = newline + 1;
        const separator = line.indexOf(' ');
        const second = line.indexOf(' ', separator + 1);
        return {
          time: Number(line.slice(0, separator)),
          seq: Number(line.slice(separator + 1, second)),
          item: this.codec.decode(line.slice(second + 1)),
        };
      }
      if (this.eof) {
        closeSync(this.fd);
        return null;
      }
      const read = readSync(this.fd, this.chunk, 0, READ_CHUNK, null);
      this.buffer = this.buffer.slice(this.offset) + this.chunk.toString('utf8', 0, read);
      this.offset = 0;
      this.eof = read === 0;
    }
  }
}

/**
 * Sorts items by (time, insertion order) with bounded memory: at most `maxBuffered` items are held;
 * beyond that, sorted runs spill to a temporary folder and are merged on {@link drain}. The order,
 * and so the answer, is the same whether or not anything spilled.
 */
export class ExternalSorter<T> {
  private buffer: Array<Entry<T>> = [];
  private readonly runs: string[] = [];
  private folder: string | null = null;
  private seq = 0;

  constructor(
    private readonly codec: LineCodec<T>,
    private readonly maxBuffered: number,
    private readonly tempRoot: string = tmpdir(),
  ) {}

  get spilledRuns(): number {
    return this.runs.length;
  }

  add(time: number, item: T): void {
    this.buffer.push({ time, seq: this.seq, item });
    this.seq += 1;
    if (this.buffer.length >= this.maxBuffered) {
      this.spill();
    }
  }

  /** Yields every item in order, then removes the spilled runs. */
  *drain(): Generator<T> {
    this.buffer.sort(compareEntries);
    try {
      if (this.runs.length === 0) {
        for (const entry of this.buffer) {
          yield entry.item;
        }
        return;
      }
      yield* this.merge();
    } finally {
      this.buffer = [];
      if (this.folder !== null) {
        rmSync(this.folder, { recursive: true, force: true });
        this.folder = null;
      }
      this.runs.length = 0;
    }
  }

  private spill(): void {
    this.buffer.sort(compareEntries);
    this.folder ??= mkdtempSync(join(this.tempRoot, 'trail-insight-sort-'));
    const path = join(this.folder, `run-${this.runs.length}.txt`);
    const fd = openSync(path, 'w');
    try {
      const lines: string[] = [];
      for (const entry of this.buffer) {
        lines.push(`${entry.time} ${entry.seq} ${this.codec.encode(entry.item)}\n`);
        if (lines.length === 4096) {
          writeSync(fd, lines.join(''));
          lines.length = 0;
        }
      }
      writeSync(fd, lines.join(''));
    } finally {
      closeSync(fd);
    }
    this.runs.push(path);
    this.buffer = [];
  }

  private *merge(): Generator<T> {
    const sources: Array<{ next(): Entry<T> | null }> = this.runs.map(
      (path) => new RunReader(path, this.codec),
    );
    let memoryIndex = 0;
    const memory = this.buffer;
    sources.push({ next: () => memory[memoryIndex++] ?? null });
    const heap = new MinHeap<{ entry: Entry<T>; source: number }>(
      (left, right) => compareEntries(left.entry, right.entry) < 0,
    );
    sources.forEach((source, index) => {
      const entry = source.next();
      if (entry !== null) {
        heap.push({ entry, source: index });
      }
    });
    for (let top = heap.peek(); top !== undefined; top = heap.peek()) {
      yield top.entry.item;
      const next = sources[top.source]?.next() ?? null;
      if (next === null) {
        heap.pop();
      } else {
        heap.replaceTop({ entry: next, source: top.source });
      }
    }
  }
}
