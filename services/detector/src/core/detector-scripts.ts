import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Cluster, Redis, Result } from 'ioredis';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** src/lua/begin-checkpoint-3.lua; returns a {@link BeginCheckpointCode}. */
    detectorBeginCheckpoint(
      checkpoint: string,
      buffer: string,
      order: string,
      ...argv: Array<string | Buffer>
    ): Result<number, Context>;
    /** src/lua/finish-checkpoint-3.lua; returns a {@link FinishCheckpointCode}. */
    detectorFinishCheckpoint(
      checkpoint: string,
      buffer: string,
      order: string,
      seq: string,
      releasedBelow: string,
      watermark: string,
      low: string,
      size: string,
    ): Result<number, Context>;
    /** src/lua/add-attributions-1.lua; returns an {@link AddAttributionsCode}. */
    detectorAddAttributions(key: string, ...argv: Array<string | Buffer>): Result<number, Context>;
  }
}

/** Return codes of src/lua/begin-checkpoint-3.lua. */
export enum BeginCheckpointCode {
  Started = 0,
  Conflict = -1,
  MalformedArguments = -2,
}

/** Return codes of src/lua/finish-checkpoint-3.lua. */
export enum FinishCheckpointCode {
  Finished = 0,
  AlreadyFinished = 1,
  Conflict = -1,
}

/** Return codes of src/lua/add-attributions-1.lua. */
export enum AddAttributionsCode {
  Counted = 0,
  AlreadyCounted = 1,
  MalformedArguments = -2,
}

/**
 * Folder of the detector's Lua files: `lua/` beside the bundle (deploy/build copies them there),
 * or `src/lua` when running from source (Jest).
 */
export function defaultLuaDir(): string {
  const beside = join(__dirname, 'lua');
  const candidates = [beside, join(__dirname, '..', 'lua')];
  return candidates.find((dir) => existsSync(join(dir, 'begin-checkpoint-3.lua'))) ?? beside;
}

/** Registers the detector scripts on a client (idempotent); EVALSHA with NOSCRIPT fallback. */
export function registerDetectorScripts(client: Redis | Cluster, luaDir = defaultLuaDir()): void {
  if (
    typeof (client as unknown as Record<string, unknown>)['detectorBeginCheckpoint'] === 'function'
  ) {
    return;
  }
  const read = (file: string): string => readFileSync(join(luaDir, file), 'utf8');
  client.defineCommand('detectorBeginCheckpoint', {
    numberOfKeys: 3,
    lua: read('begin-checkpoint-3.lua'),
  });
  client.defineCommand('detectorFinishCheckpoint', {
    numberOfKeys: 3,
    lua: read('finish-checkpoint-3.lua'),
  });
  client.defineCommand('detectorAddAttributions', {
    numberOfKeys: 1,
    lua: read('add-attributions-1.lua'),
  });
}
