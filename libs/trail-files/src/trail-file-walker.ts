import { isUtf8 } from 'node:buffer';
import { lstat, readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

/**
 * A file to read, or a path that could not be listed. `path` is for people (reports, file:line);
 * `rawPath` holds the path's bytes when a name found in a folder is not UTF-8, so that `path`
 * (with U+FFFD in its place) does not name the file.
 */
export type TrailSource =
  | { kind: 'file'; path: string; gzip: boolean; rawPath?: Uint8Array }
  | { kind: 'unreadable'; path: string; reason: string };

/** A file to read (see {@link readTrailSource}). */
export type TrailFile = Extract<TrailSource, { kind: 'file' }>;

const TRAIL_FILE = /\.(?:json|jsonl|ndjson|gz)$/;

/** Whether a file found in a directory is a trail file (case-sensitive extension, SPEC §7). */
export function isTrailFileName(name: string): boolean {
  return TRAIL_FILE.test(name);
}

function reasonOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}

const SEPARATOR = Buffer.from(sep);

/** A file at `path` whose path is `bytes`: those kept only when `path` does not name it. */
function fileAt(path: string, bytes: Buffer): TrailFile {
  const file: TrailFile = { kind: 'file', path, gzip: path.endsWith('.gz') };
  if (!isUtf8(bytes)) {
    file.rawPath = bytes;
  }
  return file;
}

/** Lists `dir` (its bytes `raw`, its display path `dir`), names compared as bytes. */
async function* walkDirectory(dir: string, raw: Buffer): AsyncGenerator<TrailSource> {
  let entries: Buffer[];
  try {
    entries = await readdir(raw, { encoding: 'buffer' });
  } catch (error) {
    yield { kind: 'unreadable', path: dir, reason: reasonOf(error) };
    return;
  }
  entries.sort((left, right) => Buffer.compare(left, right));
  const folders: Array<[string, Buffer]> = [];
  const prefix = raw.subarray(-SEPARATOR.length).equals(SEPARATOR)
    ? raw
    : Buffer.concat([raw, SEPARATOR]);
  for (const rawName of entries) {
    const name = rawName.toString();
    const path = join(dir, name);
    const bytes = Buffer.concat([prefix, rawName]);
    let info;
    try {
      info = await lstat(bytes);
    } catch (error) {
      yield { kind: 'unreadable', path, reason: reasonOf(error) };
      continue;
    }
    if (info.isDirectory()) {
      folders.push([path, bytes]);
      continue;
    }
    if (!isTrailFileName(name)) {
      continue;
    }
    if (info.isFile()) {
      yield fileAt(path, bytes);
    } else if (info.isSymbolicLink()) {
      const target = await stat(bytes).catch(() => null);
      if (target === null) {
        yield { kind: 'unreadable', path, reason: 'broken symbolic link' };
      } else if (target.isFile()) {
        yield fileAt(path, bytes);
      }
    }
  }
  for (const [folder, bytes] of folders) {
    yield* walkDirectory(folder, bytes);
  }
}

/**
 * Expands command-line paths in SPEC §7 order: arguments in order; in a folder, its regular files
 * (byte-wise name order) before its subfolders; links to folders are not followed, links to files
 * are read. A file named on the command line is read whatever its name. Names that are not UTF-8
 * are read too (see {@link TrailSource}); give such a path as its bytes.
 */
export async function* walkTrailPaths(
  paths: ReadonlyArray<string | Buffer>,
): AsyncGenerator<TrailSource> {
  for (const given of paths) {
    const path = given.toString();
    const raw = typeof given === 'string' ? Buffer.from(given) : given;
    let info;
    try {
      info = await stat(raw);
    } catch (error) {
      yield { kind: 'unreadable', path, reason: reasonOf(error) };
      continue;
    }
    if (info.isDirectory()) {
      yield* walkDirectory(path, raw);
    } else {
      yield fileAt(path, raw);
    }
  }
}
