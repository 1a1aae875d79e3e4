import type { BatchProgress } from '@trail-insight/trail-files';

const INTERVAL_MS = 500;

/** Progress on an interactive stderr (files, records/s, ETA); silent when stderr is not a TTY. */
export function createProgressReporter(stream: NodeJS.WriteStream): {
  update: (progress: BatchProgress) => void;
  finish: () => void;
} {
  const started = Date.now();
  let lastDraw = 0;
  let drawn = false;
  return {
    update: (progress) => {
      const now = Date.now();
      if (!stream.isTTY || now - lastDraw < INTERVAL_MS) {
        return;
      }
      lastDraw = now;
      const seconds = (now - started) / 1000;
      const rate = progress.records / Math.max(seconds, 0.001);
      const fraction = progress.filesDone / Math.max(progress.filesTotal, 1);
      const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : 0;
      stream.write(
        `\r\x1b[Kfiles ${progress.filesDone}/${progress.filesTotal}, ${progress.records} records, ` +
          `${Math.round(rate)} records/s, ETA ${Math.round(eta)} s`,
      );
      drawn = true;
    },
    finish: () => {
      if (drawn) {
        stream.write('\r\x1b[K');
      }
    },
  };
}
