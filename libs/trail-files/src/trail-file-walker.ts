import { lstat, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A file to read, or a path that could not be listed. */
export type TrailSource =
  | { kind: 'file'; path: string; gzip: boolean }
  | { kind: 'unreadable'; path: string; reason: string };

const TRAIL_FILE = /\.(?:json|jsonl|ndjson|gz)$/;

/** Whether a file found in a directory is a trail file (case-sensitive extension, SPEC §7). */
export function isTrailFileName(name: string): boolean {
  return TRAIL_FILE.test(name);
}

function reasonOf(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}

async function* walkDirectory(dir: string): AsyncGenerator<TrailSource> {
  let entries: Buffer[];
  try {
    entries = await readdir(dir, { encoding: 'buffer' });
  } catch (error) {
    yield { kind: 'unreadable', path: dir, reason: reasonOf(error) };
    return;
  }
  entries.sort((left, right) => Buffer.compare(left, right));
  const folders: string[] = [];
  for (const raw of entries) {
    const name = raw.toString();
    const path = join(dir, name);
    let info;
    try {
      info = await lstat(path);
    } catch (error) {
      yield { kind: 'unreadable', path, reason: reasonOf(error) };
      continue;
    }
    if (info.isDirectory()) {
      folders.push(path);
      continue;
    }
    if (!isTrailFileName(name)) {
      continue;
    }
    if (info.isFile()) {
      yield { kind: 'file', path, gzip: name.endsWith('.gz') };
    } else if (info.isSymbolicLink()) {
      const target = await stat(path).catch(() => null);
      if (target === null) {
        yield { kind: 'unreadable', path, reason: 'broken symbolic link' };
      } else if (target.isFile()) {
        yield { kind: 'file', path, gzip: name.endsWith('.gz') };
      }
    }
  }
  for (const folder of folders) {
    yield* walkDirectory(folder);
  }
}

/**
 * Expands command-line paths in SPEC §7 order: arguments in order; in a folder, its regular files
 * (byte-wise name order) before its subfolders; links to folders are not followed, links to files
 * are read. A file named on the command line is read whatever its name.
 */
export async function* walkTrailPaths(paths: readonly string[]): AsyncGenerator<TrailSource> {
  for (const path of paths) {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      yield { kind: 'unreadable', path, reason: reasonOf(error) };
      continue;
    }
    if (info.isDirectory()) {
      yield* walkDirectory(path);
    } else {
      yield { kind: 'file', path, gzip: path.endsWith('.gz') };
    }
  }
}
