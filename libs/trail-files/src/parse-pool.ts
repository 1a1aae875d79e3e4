import { Worker } from 'node:worker_threads';

import { NORMALIZED_EVENT_CODEC } from './normalized-event.codec';
import { parseTrailSource } from './parsed-file';

import type { ParsedFile } from './parsed-file';
import type { TrailSource } from './trail-file-walker';

/** Message from the main thread to a parse worker. */
export interface ParseRequest {
  id: number;
  source: TrailSource;
  maxExamples: number;
}

/** Reply of a parse worker. */
export interface ParseReply {
  id: number;
  /** The parsed file without its events, which travel encoded (cheaper than structured clone). */
  parsed: ParsedFile;
  /** Events in {@link NORMALIZED_EVENT_CODEC} lines joined by LF. */
  events: string;
}

/** Parses sources and yields them in the order given. */
export interface ParsePool {
  parseInOrder(sources: readonly TrailSource[], maxExamples: number): AsyncGenerator<ParsedFile>;
  close(): Promise<void>;
}

/** Parses on the calling thread, one file at a time. */
export const inlineParsePool: ParsePool = {
  async *parseInOrder(sources, maxExamples) {
    for (const source of sources) {
      yield await parseTrailSource(source, maxExamples);
    }
  },
  close: () => Promise.resolve(),
};

/**
 * Parses on `size` worker threads running `workerScript` (a bundle of `parse-worker.entry.ts`),
 * keeping a few files in flight per worker, and yields them in input order. Parsing is the bulk of
 * a batch run; the rules stay on the main thread, so results do not depend on the pool.
 */
export function createWorkerParsePool(workerScript: string, size: number): ParsePool {
  const workers = Array.from({ length: size }, () => new Worker(workerScript));
  const pending = new Map<
    number,
    { resolve: (parsed: ParsedFile) => void; reject: (error: Error) => void }
  >();
  for (const worker of workers) {
    worker.on('message', (reply: ParseReply) => {
      const waiter = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.events !== '') {
        reply.parsed.events = reply.events
          .split('\n')
          .map((line) => NORMALIZED_EVENT_CODEC.decode(line));
      }
      waiter?.resolve(reply.parsed);
    });
    worker.on('error', (error) => {
      for (const waiter of pending.values()) {
        waiter.reject(error);
      }
      pending.clear();
    });
  }
  let nextId = 0;
  const submit = (source: TrailSource, maxExamples: number): Promise<ParsedFile> => {
    const id = nextId;
    nextId += 1;
    const worker = workers[id % workers.length];
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      const request: ParseRequest = { id, source, maxExamples };
      if (worker === undefined) {
        throw new Error('the parse pool has no workers');
      }
      worker.postMessage(request);
    });
  };
  return {
    async *parseInOrder(sources, maxExamples) {
      const inFlight: Array<Promise<ParsedFile>> = [];
      const depth = size * 3;
      let next = 0;
      while (next < sources.length || inFlight.length > 0) {
        while (next < sources.length && inFlight.length < depth) {
          const source = sources[next];
          if (source === undefined) {
            throw new Error(`no source ${next} of ${sources.length}`);
          }
          inFlight.push(submit(source, maxExamples));
          next += 1;
        }
        yield await (inFlight.shift() as Promise<ParsedFile>);
      }
    },
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
