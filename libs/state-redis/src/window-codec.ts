import { BUCKET_MS } from '@trail-insight/detection';

import type { BucketCount, ObservationWindow } from '@trail-insight/detection';

import { StateStoreErrorCode, StateStoreException } from './state-store.exception';
import { fromStoredText, toStoredText } from './stored-text';

/**
 * Binary layout of one stored observation window (the value of a `windows` hash field; the IP is
 * in the field name). Binary rather than JSON because event ids dominate a window's size: a UUID
 * is 16 bytes instead of 38, and a window of one or two events is 41–61 bytes, under Redis's
 * 64-byte listpack value limit, so small accounts keep their windows hash in the compact encoding.
 *
 *   u8      format (1)
 *   zigzag  start                 epoch ms
 *   zigzag  lastTime - start
 *   varint  eventCount
 *   varint  slots
 *   varint  bucket count, then per bucket: zigzag Δ bucket index, varint count
 *           (index = start / 300 s; the first Δ is from floor(window start / 300 s))
 *   varint  id count, then per id: u8 tag (1 lower-case UUID, 2 upper-case UUID: 16 bytes;
 *           0 other: varint length + UTF-8 of its stored text, see stored-text.ts)
 *   number  predictedValue, threshold, heterogeneity (u8 tag 0: zigzag integer; 1: f64 LE;
 *           2: f32 LE, when exact, e.g. 0.5)
 *   varint  signal count, then per signal: varint length + UTF-8
 */
export const WINDOW_FORMAT = 1;

const ZIGZAG_LIMIT = 2 ** 52;
const UUID_LOWER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

const ID_TEXT = 0;
const ID_LOWER_UUID = 1;
const ID_UPPER_UUID = 2;
const NUMBER_INTEGER = 0;
const NUMBER_FLOAT = 1;
const NUMBER_FLOAT32 = 2;

function unencodable(what: string, value: unknown): StateStoreException {
  return new StateStoreException(
    StateStoreErrorCode.UnencodableState,
    `window ${what} cannot be stored: ${String(value)}`,
  );
}

class ByteWriter {
  private buffer = Buffer.allocUnsafe(64);
  private length = 0;

  u8(value: number): void {
    this.reserve(1);
    this.buffer[this.length++] = value;
  }

  varint(value: number, what: string): void {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw unencodable(what, value);
    }
    let rest = value;
    while (rest >= 0x80) {
      this.u8((rest % 0x80) + 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.u8(rest);
  }

  zigzag(value: number, what: string): void {
    if (!Number.isInteger(value) || Math.abs(value) >= ZIGZAG_LIMIT) {
      throw unencodable(what, value);
    }
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1, what);
  }

  number(value: number): void {
    if (Number.isInteger(value) && !Object.is(value, -0) && Math.abs(value) < ZIGZAG_LIMIT) {
      this.u8(NUMBER_INTEGER);
      this.zigzag(value, 'number');
      return;
    }
    if (Object.is(Math.fround(value), value)) {
      this.u8(NUMBER_FLOAT32);
      this.reserve(4);
      this.buffer.writeFloatLE(value, this.length);
      this.length += 4;
      return;
    }
    this.u8(NUMBER_FLOAT);
    this.reserve(8);
    this.buffer.writeDoubleLE(value, this.length);
    this.length += 8;
  }

  text(value: string): void {
    const bytes = Buffer.from(value, 'utf8');
    this.varint(bytes.length, 'text length');
    this.bytes(bytes);
  }

  bytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(this.buffer, this.length);
    this.length += bytes.length;
  }

  finish(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private reserve(count: number): void {
    if (this.length + count <= this.buffer.length) {
      return;
    }
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + count));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

class ByteReader {
  private position = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly field: string,
  ) {}

  u8(): number {
    const byte = this.buffer[this.position];
    if (byte === undefined) {
      throw this.corrupt('truncated');
    }
    this.position += 1;
    return byte;
  }

  varint(): number {
    let value = 0;
    let scale = 1;
    for (;;) {
      const byte = this.u8();
      value += (byte & 0x7f) * scale;
      if (byte < 0x80) {
        break;
      }
      scale *= 0x80;
      if (scale > Number.MAX_SAFE_INTEGER) {
        throw this.corrupt('varint too long');
      }
    }
    if (!Number.isSafeInteger(value)) {
      throw this.corrupt('varint out of range');
    }
    return value;
  }

  zigzag(): number {
    const value = this.varint();
    return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
  }

  number(): number {
    const tag = this.u8();
    if (tag === NUMBER_INTEGER) {
      return this.zigzag();
    }
    if (tag === NUMBER_FLOAT32) {
      return this.bytes(4).readFloatLE(0);
    }
    if (tag !== NUMBER_FLOAT) {
      throw this.corrupt(`number tag ${tag}`);
    }
    return this.bytes(8).readDoubleLE(0);
  }

  text(): string {
    return this.bytes(this.varint()).toString('utf8');
  }

  bytes(count: number): Buffer {
    if (this.position + count > this.buffer.length) {
      throw this.corrupt('truncated');
    }
    const slice = this.buffer.subarray(this.position, this.position + count);
    this.position += count;
    return slice;
  }

  end(): void {
    if (this.position !== this.buffer.length) {
      throw this.corrupt('trailing bytes');
    }
  }

  corrupt(reason: string): StateStoreException {
    return new StateStoreException(
      StateStoreErrorCode.CorruptState,
      `stored window ${JSON.stringify(this.field)}: ${reason}`,
    );
  }
}

function writeId(writer: ByteWriter, id: string): void {
  const lower = UUID_LOWER.test(id);
  if (lower || UUID_UPPER.test(id)) {
    writer.u8(lower ? ID_LOWER_UUID : ID_UPPER_UUID);
    writer.bytes(Buffer.from(id.replaceAll('-', ''), 'hex'));
    return;
  }
  writer.u8(ID_TEXT);
  writer.text(toStoredText(id));
}

function readId(reader: ByteReader): string {
  const tag = reader.u8();
  switch (tag) {
    case ID_TEXT:
      return fromStoredText(reader.text());
    case ID_LOWER_UUID:
    case ID_UPPER_UUID: {
      const hex = reader.bytes(16).toString('hex');
      const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
      return tag === ID_UPPER_UUID ? id.toUpperCase() : id;
    }
    default:
      throw reader.corrupt(`id tag ${tag}`);
  }
}

function bucketIndex(bucket: BucketCount): number {
  const index = bucket.start / BUCKET_MS;
  if (!Number.isInteger(index)) {
    throw unencodable('bucket start', bucket.start);
  }
  return index;
}

/** Encodes a window for the `windows` hash. Throws `UnencodableState` on non-integer times. */
export function encodeWindow(window: ObservationWindow): Buffer {
  const writer = new ByteWriter();
  writer.u8(WINDOW_FORMAT);
  writer.zigzag(window.start, 'start');
  writer.zigzag(window.lastTime - window.start, 'lastTime');
  writer.varint(window.eventCount, 'eventCount');
  writer.varint(window.slots, 'slots');
  writer.varint(window.buckets.length, 'bucket count');
  let previous = Math.floor(window.start / BUCKET_MS);
  for (const bucket of window.buckets) {
    const index = bucketIndex(bucket);
    writer.zigzag(index - previous, 'bucket start');
    writer.varint(bucket.count, 'bucket count');
    previous = index;
  }
  writer.varint(window.eventIds.length, 'id count');
  for (const id of window.eventIds) {
    writeId(writer, id);
  }
  writer.number(window.predictedValue);
  writer.number(window.threshold);
  writer.number(window.heterogeneity);
  writer.varint(window.signals.length, 'signal count');
  for (const signal of window.signals) {
    writer.text(toStoredText(signal));
  }
  return writer.finish();
}

/**
 * Decodes a stored window. `field` (`region\u0000ip`) names the value in errors; the IP is
 * the part after the NUL. Throws `CorruptState` when the bytes do not follow the layout.
 */
export function decodeWindow(ip: string, value: Buffer, field = ip): ObservationWindow {
  const reader = new ByteReader(value, field);
  const format = reader.u8();
  if (format !== WINDOW_FORMAT) {
    throw reader.corrupt(`format ${format}`);
  }
  const start = reader.zigzag();
  const lastTime = start + reader.zigzag();
  const eventCount = reader.varint();
  const slots = reader.varint();
  const bucketCount = reader.varint();
  const buckets: BucketCount[] = [];
  let index = Math.floor(start / BUCKET_MS);
  for (let i = 0; i < bucketCount; i += 1) {
    index += reader.zigzag();
    buckets.push({ start: index * BUCKET_MS, count: reader.varint() });
  }
  const idCount = reader.varint();
  const eventIds: string[] = [];
  for (let i = 0; i < idCount; i += 1) {
    eventIds.push(readId(reader));
  }
  const predictedValue = reader.number();
  const threshold = reader.number();
  const heterogeneity = reader.number();
  const signalCount = reader.varint();
  const signals: string[] = [];
  for (let i = 0; i < signalCount; i += 1) {
    signals.push(fromStoredText(reader.text()));
  }
  reader.end();
  return {
    ip,
    start,
    lastTime,
    eventCount,
    slots,
    buckets,
    eventIds,
    predictedValue,
    threshold,
    heterogeneity,
    signals,
  };
}
