/**
 * Whole-pipeline crash safety on the REAL Kafka and Redis of deploy/local/stack.sh (needs: kafka,
 * redis): ingest, detector and aggregator run as bundled child processes on random topics, groups
 * and Redis prefix, while `trail-insight replay` produces a `trail-insight generate` trail at a
 * steady rate.
 *
 * Proves that `kill -9` of the detector (one test), of ingest (another) or of the detector reading
 * the raw topic itself (`DETECTOR_INPUT=raw`, a third) at three random points
 * in the middle of the stream (the later ones while it catches up on the backlog its downtime
 * left, i.e. with produced but uncommitted work), each followed by a restart with the same
 * consumer group, changes nothing: once idle, the IPInsights behind insight-events equal
 * `analyzeTrailPaths` exactly as in the crash-free run (none lost, none extra, same counts and
 * buckets; windows whose verdict falls in the last lateness interval may stay open), the
 * aggregator's store holds them (and the dismissed windows) as the batch computed them, and
 * repeats on insight-events are only byte-identical copies (counted, reported).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { NONE_MODEL } from '@trail-insight/detection';
import { bundleServices, waitFor } from '@trail-insight/testing';

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

import type { BatchExpectation, PipelineLayout, PipelineService } from './pipeline-fixture';

jest.setTimeout(300_000);

/** Events/s of the replay: slow enough that both kills land while it runs, fast enough to keep the victim busy. */
const REPLAY_RATE = 4_000;
const KILLS = 3;

function metricValue(metrics: string, name: string): number {
  const line = metrics.split('\n').find((text) => text.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

describe('pipeline survives kill -9 of a service mid-replay (real Kafka + Redis)', () => {
  let dir: string;
  let expectation: BatchExpectation;
  const fixtures: PipelineFixture[] = [];

  beforeAll(async () => {
    bundleServices('cli', 'ingest', 'detector', 'aggregator');
    dir = mkdtempSync(join(tmpdir(), 'pipeline-crash-'));
    generateTrail(dir, TRAIL_ARGS);
    expectation = await batchExpectation(
      dir,
      { minBaseline: SETTINGS.minBaseline, homeRegion: null, allowList: [], model: NONE_MODEL },
      SETTINGS.latenessMs,
    );
  });

  afterEach(async () => {
    for (const fixture of fixtures.splice(0)) {
      await fixture.cleanup();
    }
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function replayWithKills(
    victim: PipelineService,
    layout: PipelineLayout = 'services',
  ): Promise<void> {
    const seed = Date.now() % 1_000_000;
    let state = seed + 1;
    const random = (): number => {
      state = (state * 48_271) % 2_147_483_647;
      return state / 2_147_483_647;
    };
    const fixture = await PipelineFixture.create({ ...SETTINGS, layout });
    fixtures.push(fixture);
    await fixture.start('aggregator');
    await fixture.start('detector');
    if (layout === 'services') {
      await fixture.start('ingest');
    }
    // the topic the detector consumes
    const detectorInput = layout === 'services' ? 'normalized' : 'raw';
    const started = Date.now();
    const replay = startReplay(dir, fixture.names.raw, REPLAY_RATE);
    const total = expectation.summary.records;
    const valid = total - expectation.summary.invalid;
    // Progress is counted in records (the victim's own metrics, summed over its instances: the
    // normalized topic packs many events per message), so that each kill lands while the victim
    // is processing: ingest by the raw records it read, the detector by the events it absorbed.
    let doneBefore = 0;
    const doneNow = async (): Promise<number> => {
      const metrics = await fixture.running(victim).metrics();
      return victim === 'ingest'
        ? metricValue(metrics, 'ingest_records_total{outcome="valid"}') +
            metricValue(metrics, 'ingest_records_total{outcome="invalid"}')
        : metricValue(metrics, 'detector_events_in_total');
    };
    const progress = async (): Promise<number> => doneBefore + (await doneNow());
    const backlog = async (): Promise<number> =>
      victim === 'ingest' || layout === 'fused'
        ? (await fixture.produced('raw')) - (await progress())
        : metricValue(
            await fixture.running('ingest').metrics(),
            'ingest_records_total{outcome="valid"}',
          ) - (await progress());
    // The first kill at a random point of the stream; each later one at a random point of the
    // catch-up after the previous restart, when the victim works through a backlog in large
    // batches (produced, not yet committed: what a kill -9 can lose or repeat).
    let target = Math.floor((0.1 + 0.3 * random()) * valid);
    const kills: string[] = [];
    for (let kill = 0; kill < KILLS; kill += 1) {
      await waitFor(async () => (await progress()) >= target, 120_000, `${victim} at ${target}`, {
        intervalMs: 10,
      });
      const committed = (await fixture.produced(detectorInput)) - (await fixture.lag('detector'));
      // what this instance did, read just before it dies (its restart redoes what it loses)
      const behind = await backlog();
      doneBefore += await doneNow();
      await fixture.kill(victim);
      kills.push(
        `at ${target}/${valid} (raw ${await fixture.produced('raw')}, normalized ` +
          `${await fixture.produced('normalized')}, detector committed ${committed}, ` +
          `${Date.now() - started} ms)`,
      );
      await fixture.start(victim);
      target = (await progress()) + Math.max(500, Math.floor((0.2 + 0.6 * random()) * behind));
    }
    const summary = await replay.done;
    expect(await fixture.produced('raw')).toBe(total);
    await fixture.waitIdle(150_000);
    const idle = Date.now();

    const output = deliveredInsightsOf(fixture.insightEvents());
    const comparison = compareWithBatch(output, expectation);
    const store = await compareStoreWithBatch(fixture, output, expectation);
    const detectorMetrics = await fixture.running('detector').metrics();
    process.stdout.write(
      `pipeline (${layout}) kill -9 ${victim} (seed ${seed}): kills ${kills.join(', ')}; batch ` +
        `${expectation.insights.size} insights (${expectation.required.size} required); delivered ` +
        `${comparison.delivered} (${comparison.deliveredOptional} in the last lateness interval, ` +
        `${comparison.stillOpen} left open) as ${output.events} insight events + ` +
        `${output.repeats} byte-identical repeats; stored ${store.confirmed} confirmed + ` +
        `${store.dismissed} dismissed (batch ${expectation.dismissedRequired.size} required); ` +
        `missing ${comparison.missing.length}, extra ` +
        `${comparison.unexpected.length}, different ${comparison.different.length}; ` +
        `${summary.trim().split('\n').pop() ?? ''}; idle ${((idle - started) / 1000).toFixed(1)} s ` +
        `after the replay started; normalized-events ${await fixture.produced('normalized')} for ` +
        `${valid} valid records; last detector instance: late ` +
        `${metricValue(detectorMetrics, 'detector_late_events_total')}, redelivered skipped ` +
        `${metricValue(detectorMetrics, 'detector_redelivered_events_total')}\n`,
    );
    if (store.details.length > 0) {
      process.stdout.write(`store differences:\n  ${store.details.join('\n  ')}\n`);
    }
    expect(expectation.required.size).toBeGreaterThanOrEqual(10);
    expect(output.conflicting).toEqual([]);
    expect(output.badIds).toEqual([]);
    expect(comparison.missing).toEqual([]);
    expect(comparison.unexpected).toEqual([]);
    expect(comparison.different).toEqual([]);
    expect(store.missing).toEqual([]);
    expect(store.different).toEqual([]);
    expect(store.confirmed).toBe(comparison.delivered);
    expect(store.unexpectedDismissed).toEqual([]);
    // The restarted detector rebuilt its reorder buffer from the input, and found every event the
    // checkpoint recorded (transaction markers between batches are no gap).
    expect(detectorMetrics).toMatch(/^detector_rebuild_missing_events_total 0$/m);
    expect(fixture.running('detector').logs).not.toContain('no longer holds');
    if (victim === 'detector') {
      expect(metricValue(detectorMetrics, 'detector_rebuilt_events_total')).toBeGreaterThan(0);
    }
    expect(store.missingDismissed).toEqual([]);
  }

  it('gives the batch insights when the detector is killed -9 three times mid-stream', async () => {
    await replayWithKills('detector');
  });

  it('gives the batch insights when ingest is killed -9 three times mid-stream', async () => {
    await replayWithKills('ingest');
  });

  it('gives the batch insights when the detector reading raw events (DETECTOR_INPUT=raw) is killed -9 three times', async () => {
    await replayWithKills('detector', 'fused');
  });
});
