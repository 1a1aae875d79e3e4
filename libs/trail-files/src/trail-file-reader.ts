import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';

import type { TrailFile } from './trail-file-walker';

/** Why a file was skipped as a whole. */
export class TrailFileError extends Error {
  override readonly name = 'TrailFileError';
}

function onlyZeros(bytes: Uint8Array): boolean {
  for (const byte of bytes) {
    if (byte !== 0) {
      return false;
    }
  }
  return true;
}

/**
 * Decompresses one or more gzip members, optionally followed by NUL padding (SPEC §7). Any other
 * trailing bytes, or a truncated member, reject the whole file.
 */
export function gunzipStrict(compressed: Uint8Array): Buffer {
  let result: { buffer: Buffer; engine: { bytesWritten: number } };
  try {
    result = gunzipSync(compressed, { info: true }) as unknown as typeof result;
  } catch (error) {
    throw new TrailFileError(`cannot decompress: ${(error as Error).message}`);
  }
  if (!onlyZeros(compressed.subarray(result.engine.bytesWritten))) {
    throw new TrailFileError('trailing bytes after the last gzip member');
  }
  return result.buffer;
}

/** Reads a trail file's content, gunzipped when `gzip` is set. Throws {@link TrailFileError}. */
export async function readTrailFile(path: string | Buffer, gzip: boolean): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new TrailFileError(`cannot read: ${(error as Error).message}`);
  }
  return gzip ? gunzipStrict(bytes) : bytes;
}

/**
 * Reads a file the walker found: by its bytes when its name is not UTF-8 (its display path would
 * name nothing), gunzipped when it is a `.gz`. Throws {@link TrailFileError}.
 */
export function readTrailSource(source: TrailFile): Promise<Uint8Array> {
  const path = source.rawPath === undefined ? source.path : Buffer.from(source.rawPath);
  return readTrailFile(path, source.gzip);
}
