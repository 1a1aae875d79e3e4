/**
 * Whole-pipeline acceptance on the REAL Kafka and Redis of deploy/local/stack.sh (needs: kafka,
 * redis): ingest, detector and aggregator run as bundled child processes on random topics, groups
 * and Redis prefix; the input is a multi-week trail made by `trail-insight generate` and produced by
 * `trail-insight replay`.
 *
 * Proves SPEC §3.7 / §7 (replay): once the pipeline is idle, the IPInsights behind insight-events
 * (by sharedEventId, eventCount = statistics.insightCount, buckets from the events) are exactly
 * those of `analyzeTrailPaths` with the same settings — none missing, none extra, same counts and
 * buckets — except windows whose verdict falls in the last lateness interval, which may stay open;
 * the aggregator's Redis store holds each of them as the batch computed it; every invalid record is
 * dead-lettered by ingest; nothing is delivered twice. The same holds with ingest folded into the
 * detector (`DETECTOR_INPUT=raw`), which then dead-letters the invalid records itself, and for the
 * real trails of ../shared/real-trails (odd values, invalid records, duplicates, years apart).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { NONE_MODEL } from '@trail-insight/detection';
import { bundleServices } from '@trail-insight/testing';

import {
  PIPELINE_SETTINGS as SETTINGS,
  PIPELINE_TRAIL_ARGS as TRAIL_ARGS,
  PipelineFixture,
  batchExpectation,
  compareStoreWithBatch,
  compareWithBatch,
  deliveredInsightsOf,
  generateTrail,
  startReplay,
} from './pipeline-fixture';

import type { BatchExpectation, PipelineLayout } from './pipeline-fixture';

jest.setTimeout(240_000);

/** Small real CloudTrail/ActionTrail samples from public repositories (read in place). */
const REAL_TRAILS = resolve(__dirname, '../../../../shared/real-trails');

/** A trail to replay and what `analyze` makes of it with the pipeline's settings. */
interface Trail {
  dir: string;
  minBaseline: number;
  expectation: BatchExpectation;
  /** Insights the batch must have before their verdict's lateness interval (a floor). */
  requiredAtLeast: number;
}

describe('pipeline: ingest → detector → aggregator equals analyze (real Kafka + Redis)', () => {
  let dir: string;
  let generated: Trail;
  let fixture: PipelineFixture | undefined;

  const trailOf = async (
    trailDir: string,
    minBaseline: number,
    requiredAtLeast: number,
  ): Promise<Trail> => ({
    dir: trailDir,
    minBaseline,
    requiredAtLeast,
    expectation: await batchExpectation(
      trailDir,
      { minBaseline, homeRegion: null, allowList: [], model: NONE_MODEL },
      SETTINGS.latenessMs,
    ),
  });

  beforeAll(async () => {
    bundleServices('cli', 'ingest', 'detector', 'aggregator');
    dir = mkdtempSync(join(tmpdir(), 'pipeline-e2e-'));
    generateTrail(dir, TRAIL_ARGS);
    generated = await trailOf(dir, SETTINGS.minBaseline, 10);
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  afterEach(async () => {
    await fixture?.cleanup();
    fixture = undefined;
  });

  async function replayAndCompare(layout: PipelineLayout, trail: Trail): Promise<void> {
    const { expectation } = trail;
    const started = Date.now();
    fixture = await PipelineFixture.create({ ...SETTINGS, minBaseline: trail.minBaseline, layout });
    await fixture.start('aggregator');
    await fixture.start('detector');
    if (layout === 'services') {
      await fixture.start('ingest');
    }
    const ready = Date.now();
    const replay = await startReplay(trail.dir, fixture.names.raw, null).done;
    const replayed = Date.now();
    await fixture.waitIdle(150_000);
    const idle = Date.now();

    const output = deliveredInsightsOf(fixture.insightEvents());
    const comparison = compareWithBatch(output, expectation);
    const store = await compareStoreWithBatch(fixture, output, expectation);
    const deadLetters = new Set(
      fixture
        .deadLetters()
        .map(
          (m) =>
            `${m.headers['source-topic']}/${m.headers['source-partition']}/` +
            `${m.headers['source-offset']}/${m.headers['record-index']}`,
        ),
    );
    const { summary } = expectation;
    const detectorMetrics = await fixture.running('detector').metrics();
    process.stdout.write(
      `pipeline equivalence (${layout}): ${summary.records} records (${summary.invalid} invalid, ` +
        `${summary.duplicates} duplicates), batch ${expectation.insights.size} insights ` +
        `(${expectation.required.size} required); delivered ${comparison.delivered} insights ` +
        `(${comparison.deliveredOptional} in the last lateness interval, ${comparison.stillOpen} ` +
        `left open) as ${output.events} insight events, ${output.repeats} repeats; stored ` +
        `${store.confirmed} confirmed + ${store.dismissed} dismissed (batch ` +
        `${expectation.dismissed.size} dismissed, ${expectation.dismissedRequired.size} required); ` +
        `${deadLetters.size} dead letters. ${replay.trim().split('\n').pop() ?? ''}; ` +
        `services ready ${((ready - started) / 1000).toFixed(1)} s, replay ` +
        `${((replayed - ready) / 1000).toFixed(1)} s, idle after ` +
        `${((idle - replayed) / 1000).toFixed(1)} s (incl. 3 s quiet)\n`,
    );

    if (store.details.length > 0) {
      process.stdout.write(`store differences:\n  ${store.details.join('\n  ')}\n`);
    }
    expect(expectation.required.size).toBeGreaterThanOrEqual(trail.requiredAtLeast);
    expect(output.conflicting).toEqual([]);
    expect(output.badIds).toEqual([]);
    expect(comparison.missing).toEqual([]);
    expect(comparison.unexpected).toEqual([]);
    expect(comparison.different).toEqual([]);
    expect(output.repeats).toBe(0);
    expect(store.missing).toEqual([]);
    expect(store.different).toEqual([]);
    expect(store.confirmed).toBe(comparison.delivered);
    expect(store.unexpectedDismissed).toEqual([]);
    expect(store.missingDismissed).toEqual([]);
    expect(deadLetters.size).toBe(summary.invalid);
    expect(
      fixture.deadLetters().every((m) => m.headers['source-topic'] === fixture?.names.raw),
    ).toBe(true);
    // the replay keys by account: no account's events came from two partitions
    expect(detectorMetrics).toMatch(/^detector_accounts_moved_total 0$/m);
  }

  it('delivers exactly the batch insights for a replayed multi-week trail', async () => {
    await replayAndCompare('services', generated);
  });

  it('delivers exactly the batch insights with ingest folded into the detector (DETECTOR_INPUT=raw)', async () => {
    await replayAndCompare('fused', generated);
  });

  it.each<PipelineLayout>(['services', 'fused'])(
    'delivers exactly the batch insights for the real trails, odd values and all (%s)',
    async (layout) => {
      // every window counts (baseline 0): about a hundred insights over several years of samples
      await replayAndCompare(layout, await trailOf(REAL_TRAILS, 0, 50));
    },
  );
});
