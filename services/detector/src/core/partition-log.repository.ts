import { normalizedEventSchema } from '@trail-insight/kafka';

import type { NormalizedEvent } from '@trail-insight/events';
import type { Cluster, Redis } from 'ioredis';

import { offsetNumber } from './buffered-event';
import { DetectorErrorCode, DetectorException } from './detector.exception';
import {
  BeginCheckpointCode,
  FinishCheckpointCode,
  registerDetectorScripts,
} from './detector-scripts';

import type { BufferedEvent } from './buffered-event';
import type { PartitionKeys } from './detector-keys';

/** The durable checkpoint state of one partition (hash `…:cp`). */
export interface CheckpointMeta {
  /** Last checkpoint started (0 = none). */
  seq: number;
  /** Last checkpoint finished; `seq` when none is in flight. */
  done: number;
  /** Next Kafka offset to absorb; null before the first batch. */
  next: number | null;
  /** Watermark applied by checkpoint `seq`. */
  watermark: number;
  /** Watermark of checkpoint `seq - 1`: events absorbed by `seq` below it were late. */
  previousWatermark: number;
  /** Latest event time absorbed. */
  maxSeen: number;
}

/** What a partition's checkpoint starts from. */
export interface StoredPartition {
  meta: CheckpointMeta;
  /** Absorbed events not yet released (plus those of an unfinished checkpoint), any order. */
  buffered: BufferedEvent[];
}

export interface BeginCheckpoint {
  expectedSeq: number;
  seq: number;
  /** Next offset to absorb after this checkpoint; null keeps it (idle checkpoints). */
  next: number | null;
  watermark: number;
  previousWatermark: number;
  maxSeen: number;
  events: readonly BufferedEvent[];
}

const SCAN_COUNT = 2_000;

export function encodeBound(value: number): string {
  if (value === Number.NEGATIVE_INFINITY) {
    return '-inf';
  }
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`not an epoch-ms bound: ${value}`);
  }
  return String(value);
}

function decodeBound(text: string | undefined): number {
  if (text === undefined || text === '-inf') {
    return Number.NEGATIVE_INFINITY;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    throw new DetectorException(DetectorErrorCode.CorruptBuffer, `bad watermark ${text}`);
  }
  return value;
}

function decodeCount(text: string | undefined): number {
  const value = text === undefined ? 0 : Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DetectorException(DetectorErrorCode.CorruptBuffer, `bad checkpoint number ${text}`);
  }
  return value;
}

/** Encodes a buffered event for the buffer hash: the same JSON as the `normalized-events` wire. */
export function encodeBufferedEvent(event: NormalizedEvent): string {
  return JSON.stringify(event);
}

export function decodeBufferedEvent(offset: string, json: string): BufferedEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new DetectorException(
      DetectorErrorCode.CorruptBuffer,
      `buffer entry ${offset} is not JSON`,
      {
        cause: error,
      },
    );
  }
  const result = normalizedEventSchema.safeParse(parsed);
  if (!result.success) {
    throw new DetectorException(
      DetectorErrorCode.CorruptBuffer,
      `buffer entry ${offset} is not a NormalizedEvent`,
    );
  }
  return { offset: offsetNumber(offset), event: result.data };
}

/**
 * The durable reorder buffer and checkpoint log of the detector's partitions, written only by
 * src/lua/begin-checkpoint-3.lua and finish-checkpoint-3.lua (README "Crash safety").
 */
export class PartitionLogRepository {
  constructor(private readonly redis: Redis | Cluster) {
    registerDetectorScripts(redis);
  }

  async load(keys: PartitionKeys): Promise<StoredPartition> {
    try {
      const raw = await this.redis.hgetall(keys.checkpoint);
      const meta: CheckpointMeta = {
        seq: decodeCount(raw['seq']),
        done: decodeCount(raw['done']),
        next: raw['next'] === undefined ? null : offsetNumber(raw['next']),
        watermark: decodeBound(raw['wm']),
        previousWatermark: decodeBound(raw['wmPrev']),
        maxSeen: decodeBound(raw['max']),
      };
      const buffered: BufferedEvent[] = [];
      let cursor = '0';
      do {
        const [nextCursor, entries] = await this.redis.hscan(
          keys.buffer,
          cursor,
          'COUNT',
          SCAN_COUNT,
        );
        for (let i = 0; i + 1 < entries.length; i += 2) {
          buffered.push(decodeBufferedEvent(entries[i], entries[i + 1]));
        }
        cursor = nextCursor;
      } while (cursor !== '0');
      return { meta, buffered };
    } catch (error) {
      throw DetectorException.wrap(error, 'load partition checkpoint');
    }
  }

  /** Starts a checkpoint; false when another writer started one since `expectedSeq`. */
  async begin(keys: PartitionKeys, begin: BeginCheckpoint): Promise<boolean> {
    const argv: string[] = [
      String(begin.expectedSeq),
      String(begin.seq),
      begin.next === null ? '' : String(begin.next),
      encodeBound(begin.watermark),
      encodeBound(begin.previousWatermark),
      encodeBound(begin.maxSeen),
      String(begin.events.length),
    ];
    for (const { offset, event } of begin.events) {
      argv.push(String(offset), String(event.time), encodeBufferedEvent(event));
    }
    let reply: unknown;
    try {
      reply = await this.redis.detectorBeginCheckpoint(
        keys.checkpoint,
        keys.buffer,
        keys.order,
        ...argv,
      );
    } catch (error) {
      throw DetectorException.wrap(error, 'begin checkpoint');
    }
    switch (reply) {
      case BeginCheckpointCode.Started:
        return true;
      case BeginCheckpointCode.Conflict:
        return false;
      default:
        throw new DetectorException(
          DetectorErrorCode.ScriptFailed,
          `begin-checkpoint replied ${JSON.stringify(reply)}`,
        );
    }
  }

  /** Finishes a checkpoint: its applied events leave the buffer. False on a conflict. */
  async finish(keys: PartitionKeys, seq: number, watermark: number): Promise<boolean> {
    let reply: unknown;
    try {
      reply = await this.redis.detectorFinishCheckpoint(
        keys.checkpoint,
        keys.buffer,
        keys.order,
        String(seq),
        watermark === Number.NEGATIVE_INFINITY ? '-inf' : `(${watermark}`,
        encodeBound(watermark),
      );
    } catch (error) {
      throw DetectorException.wrap(error, 'finish checkpoint');
    }
    switch (reply) {
      case FinishCheckpointCode.Finished:
      case FinishCheckpointCode.AlreadyFinished:
        return true;
      case FinishCheckpointCode.Conflict:
        return false;
      default:
        throw new DetectorException(
          DetectorErrorCode.ScriptFailed,
          `finish-checkpoint replied ${JSON.stringify(reply)}`,
        );
    }
  }
}
