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

/** A durable buffer entry as loaded: its events and the JSON they were decoded from. */
export interface StoredEntry {
  offset: number;
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
   * The buffer's entries, any order: their events not yet applied (plus all those of an
   * unfinished checkpoint) are what the in-memory reorder buffer held.
   */
  entries: StoredEntry[];
}

/**
 * What a checkpoint absorbs into the durable buffer as one entry: a consumed message, or a run of
 * consecutive messages without consumed bytes (DETECTOR_INPUT=raw), whose events are then
 * positioned (first offset, running index), which keeps their input order.
 */
export interface AbsorbedMessage {
  offset: number;
  /** Its latest event time: the message leaves the buffer once the watermark passes it. */
  latest: number;
  events: readonly NormalizedEvent[];
  /** Its JSON as consumed (stored as is), or null to encode `events`. */
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
  messages: readonly AbsorbedMessage[];
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
export function encodeBufferEntry(seq: number, message: AbsorbedMessage): Buffer {
  const json = message.value ?? Buffer.from(JSON.stringify(message.events));
  return Buffer.concat([Buffer.from(`${seq}:`), json]);
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
          const offset = field.toString('latin1');
          const { seq, json, events } = decodeBufferEntry(offset, value);
          // Applied already: events below the finished watermark, unless the unfinished
          // checkpoint absorbed them (late events it is to apply).
          const inFlight = seq === null || (meta.done !== meta.seq && seq === meta.seq);
          stored.push({
            offset: offsetNumber(offset),
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
      String(begin.messages.length),
    ];
    for (const message of begin.messages) {
      argv.push(
        String(message.offset),
        String(message.latest),
        encodeBufferEntry(begin.seq, message),
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
