import { itemAt } from './item-at.util';
import { ActionTrailRecordRenderer } from './actiontrail-record-renderer';
import { CloudTrailRecordRenderer } from './cloudtrail-record-renderer';
import { deliveryPath } from './delivery-path.util';
import { MAX_RECORDS_PER_FILE, REDELIVERY_DELAY_MS } from './generator.constants';
import { SeededRandom } from './seeded-random';
import { planTrail } from './trail-plan';
import { RecordFlaw, scheduleTrail } from './trail-schedule';

import type { GeneratorOptions } from './generator-options';
import type { RecordRenderer } from './record-renderer';
import type { TrailFormat } from './trail-catalog';
import type { AccountPlan, TrailPlan } from './trail-plan';
import type { ScheduledEvent, ScheduledHour } from './trail-schedule';

/** How a file's records are laid out. */
export type FileContentShape = 'document' | 'json-lines';

/** One delivered object of the trail. */
export interface GeneratedFile {
  /** Relative path in the provider's delivery layout. */
  readonly path: string;
  readonly format: TrailFormat;
  readonly accountId: string;
  readonly region: string;
  /**
   * `document`: a JSON array (ActionTrail) or `{"Records":[...]}` (CloudTrail), every line valid
   * JSON; `json-lines`: one record per line, some lines deliberately not JSON.
   */
  readonly shape: FileContentShape;
  /** Every record's event time lies in [hourStart, hourEnd) (unless the record's time is broken). */
  readonly hourStart: number;
  readonly hourEnd: number;
  /** A later, separate delivery of records already delivered (all of them duplicates). */
  readonly redelivery: boolean;
  /** One record's JSON text per element, in event-time order. */
  readonly lines: readonly string[];
}

/** Totals returned when the generator finishes. */
export interface GenerationSummary {
  files: number;
  records: number;
  /** Records a correct reader rejects (malformed lines included). */
  invalid: number;
  /** Records a correct reader skips as duplicates. */
  duplicates: number;
}

const HEX = '0123456789abcdef';
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

function token(random: SeededRandom, alphabet: string, length: number): string {
  let text = '';
  for (let index = 0; index < length; index += 1) {
    text += alphabet[random.int(alphabet.length)];
  }
  return text;
}

function wrapperOf(
  format: TrailFormat,
  shape: FileContentShape,
  count: number,
): readonly [string, string, string] {
  if (shape === 'json-lines') {
    return ['', '\n', count === 0 ? '' : '\n'];
  }
  return format === 'actiontrail' ? ['[', ',', ']'] : ['{"Records":[', ',', ']}'];
}

function contentBytes(
  format: TrailFormat,
  shape: FileContentShape,
  lines: readonly string[],
): number {
  const [open, separator, close] = wrapperOf(format, shape, lines.length);
  let size = open.length + close.length + Math.max(lines.length - 1, 0) * separator.length;
  for (const line of lines) {
    size += line.length;
  }
  return size;
}

/** The file's content as text: a JSON document or JSON lines, as {@link GeneratedFile.shape} says. */
export function fileContent(file: GeneratedFile): string {
  const [open, separator, close] = wrapperOf(file.format, file.shape, file.lines.length);
  return open + file.lines.join(separator) + close;
}

/**
 * The same content as {@link fileContent}, encoded straight into one buffer (records are ASCII),
 * without building the joined string first.
 */
export function fileBytes(file: GeneratedFile): Buffer {
  const [open, separator, close] = wrapperOf(file.format, file.shape, file.lines.length);
  const lines = file.lines;
  const buffer = Buffer.allocUnsafe(contentBytes(file.format, file.shape, lines));
  let offset = buffer.write(open, 0, 'latin1');
  let first = true;
  for (const line of lines) {
    if (!first) {
      offset += buffer.write(separator, offset, 'latin1');
    }
    first = false;
    offset += buffer.write(line, offset, 'latin1');
  }
  buffer.write(close, offset, 'latin1');
  return buffer;
}

function createRenderer(plan: TrailPlan): RecordRenderer {
  return plan.catalog.format === 'actiontrail'
    ? new ActionTrailRecordRenderer(plan)
    : new CloudTrailRecordRenderer(plan);
}

function* filesOf(
  plan: TrailPlan,
  renderer: RecordRenderer,
  hour: ScheduledHour,
  account: AccountPlan,
  events: readonly ScheduledEvent[],
  redelivery: boolean,
): Generator<GeneratedFile, void, undefined> {
  if (events.length === 0) {
    return;
  }
  const format = plan.catalog.format;
  const shape: FileContentShape = hour.jsonLines ? 'json-lines' : 'document';
  const byRegion = account.regions.map((): ScheduledEvent[] => []);
  for (const event of events) {
    byRegion[event.region]?.push(event);
  }
  for (const [region, regionEvents] of byRegion.entries()) {
    for (
      let first = 0, chunk = 0;
      first < regionEvents.length;
      first += MAX_RECORDS_PER_FILE, chunk += 1
    ) {
      const slice = regionEvents.slice(first, first + MAX_RECORDS_PER_FILE);
      const lines = slice.map((event) => renderer.render(account, event));
      const random = SeededRandom.derive(
        plan.options.seed,
        2,
        account.index,
        hour.index,
        region,
        chunk,
        redelivery ? 1 : 0,
      );
      const regionName = itemAt(account.regions, region, 'region');
      yield {
        path: deliveryPath({
          format,
          accountId: account.accountId,
          resourceDirectoryId: plan.resourceDirectoryId,
          region: regionName,
          deliveredAt: hour.end + (redelivery ? REDELIVERY_DELAY_MS : 0),
          jsonLines: hour.jsonLines,
          token:
            format === 'actiontrail' ? token(random, HEX, 32) : token(random, ALPHANUMERIC, 16),
          records: lines.length,
          bytes: contentBytes(format, shape, lines),
        }),
        format,
        accountId: account.accountId,
        region: regionName,
        shape,
        hourStart: hour.start,
        hourEnd: hour.end,
        redelivery,
        lines,
      };
    }
  }
}

/**
 * Generates a synthetic trail: files in delivery layout, in time order (by `hourEnd`), each holding
 * one hour or less of one account and region. Deterministic: the same options give the same files.
 * The scenario behind the records, and what a detector should find, is given by `labelsOf`.
 *
 * @throws RangeError when an option is out of range.
 */
export function* generateTrail(
  options: GeneratorOptions,
): Generator<GeneratedFile, GenerationSummary, undefined> {
  const plan = planTrail(options);
  const renderer = createRenderer(plan);
  const summary: GenerationSummary = { files: 0, records: 0, invalid: 0, duplicates: 0 };
  for (const hour of scheduleTrail(plan)) {
    for (const { account, events, redelivered } of hour.accounts) {
      for (const list of [events, redelivered]) {
        for (const event of list) {
          summary.records += 1;
          if (event.flaw !== RecordFlaw.None) {
            summary.invalid += 1;
          } else if (event.duplicate) {
            summary.duplicates += 1;
          }
        }
      }
      for (const file of filesOf(plan, renderer, hour, account, events, false)) {
        summary.files += 1;
        yield file;
      }
      for (const file of filesOf(plan, renderer, hour, account, redelivered, true)) {
        summary.files += 1;
        yield file;
      }
    }
  }
  return summary;
}
