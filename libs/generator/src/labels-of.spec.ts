import { canonicalIp, normalizeRecord, readTrailContent } from '@trail-insight/events';

import { fileContent, generateTrail } from './generate-trail';
import { labelsOf } from './labels-of';

import type { GeneratorOptions } from './generator-options';
import type { IpLabel, TrailLabels } from './labels-of';

const HOUR = 3_600_000;

/** (account|region|ip) → counted records, read back from the generated files. */
function ipsInFiles(options: GeneratorOptions): Map<string, number> {
  const events: Array<{ accountId: string; eventId: string; time: number; key: string | null }> =
    [];
  for (const file of generateTrail(options)) {
    for (const item of readTrailContent(Buffer.from(fileContent(file)))) {
      const normalized = item.kind === 'record' ? normalizeRecord(item.value) : null;
      if (normalized?.ok === true) {
        const { accountId, region, sourceIp, eventId, time } = normalized.event;
        events.push({
          accountId,
          eventId,
          time,
          key: sourceIp === null ? null : `${accountId}|${region}|${sourceIp}`,
        });
      }
    }
  }
  const counts = new Map<string, number>();
  const lastCounted = new Map<string, number>();
  for (const event of events.sort((a, b) => a.time - b.time)) {
    const id = `${event.accountId}|${event.eventId}`;
    const seen = lastCounted.get(id);
    if (seen !== undefined && event.time - seen <= HOUR) {
      continue;
    }
    lastCounted.set(id, event.time);
    if (event.key !== null) {
      counts.set(event.key, (counts.get(event.key) ?? 0) + 1);
    }
  }
  return counts;
}

function byScenario(labels: TrailLabels, scenario: string): IpLabel[] {
  return labels.ips.filter((label) => label.scenario === scenario);
}

function outcomes(label: IpLabel | undefined): string[] {
  return (label?.expected ?? []).map((window) => window.outcome);
}

describe(labelsOf.name, () => {
  describe.each(['actiontrail', 'cloudtrail'] as const)('%s', (format) => {
    const options: GeneratorOptions = { format, days: 14, seed: 3, eventsPerDay: 6000 };
    let sut: TrailLabels;

    beforeAll(() => {
      sut = labelsOf(options);
    });

    it('labels exactly the IPs present in the records, with their counts', () => {
      const present = ipsInFiles(options);
      const labelled = new Map(
        sut.ips.map((label) => [`${label.accountId}|${label.region}|${label.ip}`, label.events]),
      );
      expect(labelled).toEqual(present);
      for (const label of sut.ips) {
        expect(label.rawAddresses.map((raw) => canonicalIp(raw))).toEqual(
          label.rawAddresses.map(() => label.ip),
        );
      }
    });

    it('agrees with the generator on the totals', () => {
      const iterator = generateTrail(options);
      let step = iterator.next();
      while (step.done !== true) {
        step = iterator.next();
      }
      const { records, invalid, duplicates } = step.value;
      expect(sut.totals).toEqual({
        records,
        invalid,
        duplicates,
        counted: records - invalid - duplicates,
      });
    });

    it('has a main account that reaches the baseline and a small one that never does', () => {
      const [main, small] = sut.accounts;
      expect(main?.role).toBe('main');
      expect(main?.baselineReachedAt).not.toBeNull();
      expect(small?.role).toBe('small');
      expect(small?.events).toBeLessThan(10_000);
      expect(small?.baselineReachedAt).toBeNull();
      expect(outcomes(byScenario(sut, 'burst-below-baseline')[0])).toEqual(['baseline-not-met']);
    });

    it('expects an insight for every attack of an account that reaches the baseline', () => {
      const attacks = sut.ips.filter(
        (label) => label.malicious && label.scenario !== 'burst-below-baseline',
      );
      expect(attacks.length).toBe(8);
      for (const attack of attacks) {
        expect(outcomes(attack)[0]).toBe('insight');
      }
      for (const label of byScenario(sut, 'window-boundary')) {
        expect(outcomes(label)).toEqual(['insight', 'open']);
        expect(label.expected[0]?.eventCount).toBe(4);
      }
      for (const label of byScenario(sut, 'burst')) {
        expect(label.expected[0]?.eventCount).toBe(120);
      }
    });

    it('expects usual IPs and the benign 3-day IPs never to yield an insight', () => {
      const quiet = sut.ips.filter((label) =>
        [
          'office',
          'office-ipv6',
          'home',
          'ci-runner',
          'new-ip-3-days',
          'usual-at-last-second',
        ].includes(label.scenario),
      );
      expect(quiet.length).toBeGreaterThan(10);
      for (const label of quiet) {
        expect(outcomes(label)).not.toContain('insight');
      }
      for (const label of byScenario(sut, 'usual-at-last-second')) {
        expect(label.expected).toEqual([
          expect.objectContaining({ eventCount: 7, outcome: 'became-usual' }),
        ]);
      }
    });

    it('expects model none to flag the benign new IPs that a better model should cut', () => {
      for (const scenario of [
        'home-isp-change',
        'mobile-carrier',
        'ipv6-privacy-address',
        'ci-ephemeral',
      ]) {
        const labels = byScenario(sut, scenario);
        expect(labels.length).toBe(2);
        for (const label of labels) {
          expect(label.malicious).toBe(false);
          expect(outcomes(label)).toContain('insight');
        }
      }
    });

    it('analyzes global events outside the home region only without a home region', () => {
      for (const label of byScenario(sut, 'global-outside-home')) {
        expect(label.region).not.toBe(sut.homeRegion);
        expect(label.expected).toEqual([]);
        expect(label.expectedWithoutHomeRegion.map((window) => window.outcome)).toEqual([
          'insight',
        ]);
      }
    });

    it('writes IPv6 and IPv4-mapped sources', () => {
      expect(sut.ips.some((label) => label.ip.includes(':'))).toBe(true);
      expect(
        sut.ips.some((label) => label.rawAddresses.some((raw) => raw.startsWith('::ffff:'))),
      ).toBe(true);
    });
  });

  it('uses the given baseline', () => {
    const sut = labelsOf(
      { format: 'actiontrail', days: 14, seed: 3, eventsPerDay: 6000 },
      { minBaseline: 1 },
    );
    expect(outcomes(byScenario(sut, 'burst-below-baseline')[0])).toEqual(['insight']);
  });
});
