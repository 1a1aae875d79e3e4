import { normalizedEventSchema } from '@trail-insight/kafka';
import { z } from 'zod';

import type { NormalizedEvent } from '@trail-insight/events';
import type { Cluster, Redis } from 'ioredis';

import { offsetNumber } from './buffered-event';
import { DetectorErrorCode, DetectorException } from './detector.exception';
import {
  BeginCheckpointCode,
  FinishCheckpointCode,
  registerDetectorScripts,
} from './detector-scripts';

import type { PartitionKeys } from './detector-keys';
import type { SpilledEntry } from './reorder-buffer';

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
  /**
   * Where the input must be read again to rebuild the reorder buffer: the offset of the earliest
   * message with events not yet applied whose copy is not in Redis (see {@link ReorderBuffer}).
   * Null when the input need not be read again (an empty buffer, or one that a detector before the
   * rebuild, 2026-12-05, kept whole in Redis).
   */
  low: number | null;
  /** First offset absorbed by checkpoint `seq` (its messages are in flight until it is done). */
  from: number | null;
  /** Events buffered when checkpoint `seq` began (in flight) or after it finished; null = unknown. */
  size: number | null;
}

/** A spilled buffer entry as loaded: its events and the JSON they were decoded from. */
export interface StoredEntry {
  offset: number;
  /** Offset of its last message (a coalesced run spans several). */
  last: number;
  /** Its JSON, as absorbed (without the checkpoint number). */
  bytes: Buffer;
  events: readonly NormalizedEvent[];
  /** Its events with a time below this were applied already (-Infinity: none). */
  appliedBelow: number;
}

/** What a partition's checkpoint starts from. */
export interface StoredPartition {
  meta: CheckpointMeta;
  /**
   * The spilled entries, any order (or, written by a detector before the rebuild, every entry):
   * their events not yet applied (plus all those of an unfinished checkpoint's) are part of what
   * the in-memory reorder buffer held; the input from `meta.low` holds the rest.
   */
  entries: StoredEntry[];
}

/**
 * What a checkpoint absorbs into the reorder buffer as one entry: a consumed message, or a run of
 * consecutive messages without consumed bytes (DETECTOR_INPUT=raw), whose events are then
 * positioned (first offset, running index), which keeps their input order.
 */
export interface AbsorbedMessage {
  offset: number;
  /** Offset of the run's last message (`offset` for a single message). */
  last: number;
  /** Its latest event time. */
  latest: number;
  events: readonly NormalizedEvent[];
  /** Its JSON as consumed, or null to encode `events`. */
  value: Buffer | null;
}

export interface BeginCheckpoint {
  expectedSeq: number;
  seq: number;
  /** Next offset to absorb after this checkpoint; null keeps it (idle checkpoints). */
  next: number | null;
  watermark: number;
  previousWatermark: number;
  maxSeen: number;
  /** First offset this checkpoint absorbs (= `next` when it absorbs nothing). */
  from: number | null;
  /** Where the input must be read again from, once the checkpoint's messages are absorbed. */
  low: number | null;
  /** Events buffered once the checkpoint's messages are absorbed. */
  size: number;
  /** Buffer entries held too long, copied to Redis now (written as absorbed by `seq - 1`). */
  spilled: readonly SpilledEntry[];
}

/** What a finished checkpoint leaves. */
export interface FinishCheckpoint {
  seq: number;
  watermark: number;
  low: number | null;
  size: number;
}

const SCAN_COUNT = 2_000;

/**
 * A buffer entry's events: one NormalizedEvent (entries of an earlier detector) or an array, of
 * any length (a raw message may hold thousands of records; see {@link AbsorbedMessage}).
 */
const bufferEntrySchema = z.union([
  normalizedEventSchema.transform((event) => [event]),
  z.array(normalizedEventSchema).min(1),
]);

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

function decodeOffset(text: string | undefined): number | null {
  return text === undefined || text === '' ? null : offsetNumber(text);
}

function decodeCount(text: string | undefined): number {
  const value = text === undefined ? 0 : Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new DetectorException(DetectorErrorCode.CorruptBuffer, `bad checkpoint number ${text}`);
  }
  return value;
}

/**
 * A buffer entry: the absorbing checkpoint's number, ':', then the message's JSON (an array of
 * NormalizedEvents, or one; what `normalized-events` carries).
 */
export function encodeBufferEntry(seq: number, json: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${seq}:`), json]);
}

/** A buffer entry's field: its offset, or `<first>-<last>` for a run of several messages. */
export function bufferField(offset: number, last: number): string {
  return last === offset ? String(offset) : `${offset}-${last}`;
}

function parseBufferField(field: string): { offset: number; last: number } {
  const dash = field.indexOf('-');
  if (dash < 0) {
    const offset = offsetNumber(field);
    return { offset, last: offset };
  }
  const offset = offsetNumber(field.slice(0, dash));
  const last = offsetNumber(field.slice(dash + 1));
  if (last < offset) {
    throw new DetectorException(DetectorErrorCode.CorruptBuffer, `bad buffer field ${field}`);
  }
  return { offset, last };
}

/** Decodes a buffer entry's JSON (a normalized-events message) into its events. */
function decodeEntryEvents(json: Buffer, offset: string): NormalizedEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch (error) {
    throw new DetectorException(
      DetectorErrorCode.CorruptBuffer,
      `buffer entry ${offset} is not JSON`,
      { cause: error },
    );
  }
  const result = bufferEntrySchema.safeParse(parsed);
  if (!result.success) {
    throw new DetectorException(
      DetectorErrorCode.CorruptBuffer,
      `buffer entry ${offset} is not a normalized-events message`,
    );
  }
  return result.data;
}

/**
 * Decodes a buffer entry into the checkpoint that absorbed it, its JSON and its events. An entry
 * of an earlier detector (one NormalizedEvent's JSON, no checkpoint number) yields `seq` null.
 */
export function decodeBufferEntry(
  offset: string,
  entry: Buffer,
): { seq: number | null; json: Buffer; events: NormalizedEvent[] } {
  const colon = entry.indexOf(0x3a);
  const prefix = colon > 0 && colon <= 16 ? entry.toString('latin1', 0, colon) : '';
  const seq = /^[1-9]\d*$/.test(prefix) ? Number(prefix) : null;
  const json = seq === null ? entry : entry.subarray(colon + 1);
  return { seq, json, events: decodeEntryEvents(json, offset) };
}

/**
 * The checkpoint log of the detector's partitions, and the buffer entries spilled to Redis,
 * written only by src/lua/begin-checkpoint-3.lua and finish-checkpoint-3.lua (README "Crash
 * safety"). The rest of the reorder buffer is rebuilt by reading the input again from `low`.
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
        low: decodeOffset(raw['low']),
        from: decodeOffset(raw['from']),
        size: raw['size'] === undefined ? null : decodeCount(raw['size']),
      };
      const applied = meta.done === meta.seq ? meta.watermark : meta.previousWatermark;
      const stored: StoredEntry[] = [];
      let cursor = '0';
      do {
        const [nextCursor, entries] = await this.redis.hscanBuffer(
          keys.buffer,
          cursor,
          'COUNT',
          SCAN_COUNT,
        );
        for (let i = 0; ; i += 2) {
          const field = entries[i];
          const value = entries[i + 1];
          if (field === undefined || value === undefined) {
            break;
          }
          const name = field.toString('latin1');
          const { offset, last } = parseBufferField(name);
          const { seq, json, events } = decodeBufferEntry(name, value);
          // Applied already: events below the finished watermark, unless the unfinished
          // checkpoint absorbed them (late events it is to apply).
          const inFlight = seq === null || (meta.done !== meta.seq && seq === meta.seq);
          stored.push({
            offset,
            last,
            bytes: json,
            events,
            appliedBelow: inFlight ? Number.NEGATIVE_INFINITY : applied,
          });
        }
        cursor = nextCursor.toString('latin1');
      } while (cursor !== '0');
      return { meta, entries: stored };
    } catch (error) {
      throw DetectorException.wrap(error, 'load partition checkpoint');
    }
  }

  /** Starts a checkpoint; false when another writer started one since `expectedSeq`. */
  async begin(keys: PartitionKeys, begin: BeginCheckpoint): Promise<boolean> {
    const argv: Array<string | Buffer> = [
      String(begin.expectedSeq),
      String(begin.seq),
      begin.next === null ? '' : String(begin.next),
      encodeBound(begin.watermark),
      encodeBound(begin.previousWatermark),
      encodeBound(begin.maxSeen),
      begin.from === null ? '' : String(begin.from),
      begin.low === null ? '' : String(begin.low),
      String(begin.size),
      String(begin.spilled.length),
    ];
    if (begin.spilled.length > 0 && begin.seq < 2) {
      throw new RangeError('only entries absorbed by a finished checkpoint can be spilled');
    }
    for (const entry of begin.spilled) {
      argv.push(
        bufferField(entry.offset, entry.last),
        String(entry.latest),
        encodeBufferEntry(begin.seq - 1, entry.bytes),
      );
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

  /** Finishes a checkpoint: its applied entries leave Redis. False on a conflict. */
  async finish(keys: PartitionKeys, finish: FinishCheckpoint): Promise<boolean> {
    const { watermark } = finish;
    let reply: unknown;
    try {
      reply = await this.redis.detectorFinishCheckpoint(
        keys.checkpoint,
        keys.buffer,
        keys.order,
        String(finish.seq),
        watermark === Number.NEGATIVE_INFINITY ? '-inf' : `(${watermark}`,
        encodeBound(watermark),
        finish.low === null ? '' : String(finish.low),
        String(finish.size),
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
