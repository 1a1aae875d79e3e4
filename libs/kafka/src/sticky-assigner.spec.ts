import fc from 'fast-check';
import { AssignerProtocol } from 'kafkajs';
import { z } from 'zod';

import {
  STICKY_ASSIGNER_NAME,
  decodeHeldPartitions,
  encodeHeldPartitions,
  planStickyAssignment,
  stickyAssigner,
} from './sticky-assigner';

import type { Assignment, Cluster, Logger } from 'kafkajs';

import type { BacklogReader, StickyMember } from './sticky-assigner';

const TOPIC = 'raw';
const range = (count: number): number[] => Array.from({ length: count }, (_, i) => i);

function partitionsOf(plan: Map<string, Assignment>, memberId: string): number[] {
  return plan.get(memberId)?.[TOPIC] ?? [];
}

/** A previous generation: the plan's partitions as each member's `owned`. */
function ownedAfter(plan: Map<string, Assignment>): StickyMember[] {
  return [...plan].map(([memberId, assignment]) => ({ memberId, owned: assignment }));
}

const weighing = (weights: Record<number, number>): Map<number, number> =>
  new Map(Object.entries(weights).map(([partition, weight]) => [Number(partition), weight]));

describe(planStickyAssignment.name, () => {
  it('moves only what a new member needs: 2 → 3 members over 6 partitions moves 2', () => {
    const before = planStickyAssignment(
      [
        { memberId: 'a', owned: {} },
        { memberId: 'b', owned: {} },
      ],
      { [TOPIC]: range(6) },
    );
    const after = planStickyAssignment([...ownedAfter(before), { memberId: 'c', owned: {} }], {
      [TOPIC]: range(6),
    });
    const kept = ['a', 'b'].flatMap((id) =>
      partitionsOf(after, id).filter((p) => partitionsOf(before, id).includes(p)),
    );
    expect(kept).toHaveLength(4);
    expect(partitionsOf(after, 'c')).toHaveLength(2);
  });

  it("spreads a departed member's partitions and moves nothing else", () => {
    const owned = [
      { memberId: 'a', owned: { [TOPIC]: [0, 3] } },
      { memberId: 'b', owned: { [TOPIC]: [1, 4] } },
    ];
    // c held 2 and 5 and left
    const plan = planStickyAssignment(owned, { [TOPIC]: range(6) });
    expect(partitionsOf(plan, 'a')).toEqual([0, 2, 3]);
    expect(partitionsOf(plan, 'b')).toEqual([1, 4, 5]);
  });

  it('gives the larger share to the member that held more, and ignores unknown partitions', () => {
    const plan = planStickyAssignment(
      [
        { memberId: 'a', owned: { [TOPIC]: [0] } },
        { memberId: 'b', owned: { [TOPIC]: [1, 2, 9] } },
      ],
      { [TOPIC]: range(3) },
    );
    expect(partitionsOf(plan, 'a')).toEqual([0]);
    expect(partitionsOf(plan, 'b')).toEqual([1, 2]);
  });

  it('gives a partition two members claim to the first in id order', () => {
    const plan = planStickyAssignment(
      [
        { memberId: 'b', owned: { [TOPIC]: [0, 1] } },
        { memberId: 'a', owned: { [TOPIC]: [1] } },
      ],
      { [TOPIC]: range(2) },
    );
    expect(partitionsOf(plan, 'a')).toEqual([1]);
    expect(partitionsOf(plan, 'b')).toEqual([0]);
  });

  it("keeps a member's heaviest partition and balances the load it gives away", () => {
    // a held all six; 2 is a hot account's (59 % of the load)
    const plan = planStickyAssignment(
      [
        {
          memberId: 'a',
          owned: { [TOPIC]: range(6) },
          load: { [TOPIC]: weighing({ 0: 37, 1: 62, 2: 489, 3: 56, 4: 93, 5: 93 }) },
        },
        { memberId: 'b', owned: {} },
      ],
      { [TOPIC]: range(6) },
    );
    // 489 / 341: the hot partition alone is above the fair load (415), so a keeps it alone. An
    // equal count (a keeping 2 and the two lightest) would leave a 582 of 830, and keeping its
    // heaviest three (2, 4, 5) 675
    expect(partitionsOf(plan, 'a')).toEqual([2]);
    expect(partitionsOf(plan, 'b')).toEqual([0, 1, 3, 4, 5]);
  });

  it('hands free partitions out heaviest first to the least loaded member', () => {
    // The fair load is 1,700 / 3 ≈ 567: a keeps 0 (500) and frees 1, 2 and 3 (each would take it
    // more than half the partition above it); b keeps its 300. Then 1 (400) goes to c (0), 2 (300)
    // to b (300, now the least loaded), 3 (200) to c (400): 500 / 600 / 600
    const plan = planStickyAssignment(
      [
        {
          memberId: 'a',
          owned: { [TOPIC]: [0, 1, 2, 3] },
          load: { [TOPIC]: weighing({ 0: 500, 1: 400, 2: 300, 3: 200 }) },
        },
        { memberId: 'b', owned: { [TOPIC]: [4] }, load: { [TOPIC]: weighing({ 4: 300 }) } },
        { memberId: 'c', owned: {} },
      ],
      { [TOPIC]: range(5) },
    );
    expect(partitionsOf(plan, 'a')).toEqual([0]);
    expect(partitionsOf(plan, 'b')).toEqual([2, 4]);
    expect(partitionsOf(plan, 'c')).toEqual([1, 3]);
  });

  it('scales out from one member to a load within the fair share plus one partition', () => {
    const scenario = fc.record({
      weights: fc.array(fc.nat(1_000), { minLength: 1, maxLength: 40 }),
      joining: fc.integer({ min: 1, max: 7 }),
    });
    fc.assert(
      fc.property(scenario, ({ weights, joining }) => {
        const all = { [TOPIC]: range(weights.length) };
        const members: StickyMember[] = [
          {
            memberId: 'a',
            owned: all,
            load: { [TOPIC]: new Map(weights.map((weight, partition) => [partition, weight])) },
          },
          ...range(joining).map((index) => ({ memberId: `new-${index}`, owned: {} })),
        ];
        const plan = planStickyAssignment(members, all);

        const total = weights.reduce((sum, weight) => sum + weight, 0);
        const loads = members.map(({ memberId }) =>
          partitionsOf(plan, memberId).reduce((sum, p) => sum + (weights[p] ?? 0), 0),
        );
        expect(Math.max(...loads)).toBeLessThanOrEqual(
          total / members.length + Math.max(...weights),
        );
        // the hot partition stays
        const heaviest = weights.indexOf(Math.max(...weights));
        expect(partitionsOf(plan, 'a')).toContain(heaviest);
      }),
      { numRuns: 500, endOnFailure: true },
    );
  });

  it('gives a group that starts on a backlog its heavy partition on a member of its own', () => {
    // nobody holds anything yet: the broker's backlog (messages) is all the leader knows
    const plan = planStickyAssignment(
      [
        { memberId: 'a', owned: {} },
        { memberId: 'b', owned: {} },
      ],
      { [TOPIC]: range(4) },
      { [TOPIC]: weighing({ 0: 100, 1: 120, 2: 3_000, 3: 90 }) },
    );
    expect(partitionsOf(plan, 'a')).toEqual([2]);
    expect(partitionsOf(plan, 'b')).toEqual([0, 1, 3]);
  });

  it("weighs a backlog in bytes at the members' average message size", () => {
    // a reports bytes (50,000 and 40,000) and messages of 100 bytes (b, 300): 200 on average.
    // Partition 2 has 300 messages behind, 60,000 bytes; at one byte a message (no size) it
    // would weigh 300 and b would take 1 as well
    const plan = planStickyAssignment(
      [
        {
          memberId: 'a',
          owned: { [TOPIC]: [0, 1] },
          load: { [TOPIC]: weighing({ 0: 50_000, 1: 40_000 }) },
          sizes: { [TOPIC]: 100 },
        },
        { memberId: 'b', owned: {}, sizes: { [TOPIC]: 300 } },
      ],
      { [TOPIC]: range(4) },
      { [TOPIC]: weighing({ 2: 300, 3: 5 }) },
    );
    // fair load 76,000: a keeps 0 and frees 1; b takes 2 (60,000), a takes 1, b takes 3
    expect(partitionsOf(plan, 'a')).toEqual([0, 1]);
    expect(partitionsOf(plan, 'b')).toEqual([2, 3]);
  });

  it('moves no more than counts would when loads are alike but noisy: 2 → 3 members moves 2', () => {
    // six partitions of about 100 each, measured with some noise
    const load = weighing({ 0: 102, 1: 101, 2: 100, 3: 103, 4: 99, 5: 98 });
    const before = { a: [0, 1, 2], b: [3, 4, 5] };
    const plan = planStickyAssignment(
      [
        { memberId: 'a', owned: { [TOPIC]: before.a }, load: { [TOPIC]: load } },
        { memberId: 'b', owned: { [TOPIC]: before.b }, load: { [TOPIC]: load } },
        { memberId: 'c', owned: {} },
      ],
      { [TOPIC]: range(6) },
    );
    // The fair load is 201. Keeping a second partition takes a to 203 and b to 202, nearer the
    // fair load than one partition alone; keeping only what fits under it would free 1 and 2 of
    // a, and give a one of b's in return: three moves.
    expect(partitionsOf(plan, 'a')).toEqual([0, 1]);
    expect(partitionsOf(plan, 'b')).toEqual([3, 4]);
    expect(partitionsOf(plan, 'c')).toEqual([2, 5]);
  });

  it('spreads partitions that weigh nothing by count, next to loaded ones', () => {
    const plan = planStickyAssignment(
      [
        {
          memberId: 'a',
          owned: { [TOPIC]: range(6) },
          load: { [TOPIC]: weighing({ 0: 100, 1: 100 }) },
        },
        { memberId: 'b', owned: {} },
      ],
      { [TOPIC]: range(6) },
    );
    // a keeps 0 (the fair load is 100) and two idle ones (3 partitions each); b takes 1 and the rest
    expect(partitionsOf(plan, 'a')).toEqual([0, 2, 3]);
    expect(partitionsOf(plan, 'b')).toEqual([1, 4, 5]);
  });

  const generations = fc
    .record({
      partitions: fc.integer({ min: 1, max: 40 }),
      members: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 4 }), {
        minLength: 1,
        maxLength: 8,
      }),
      leaving: fc.nat(8),
      joining: fc.uniqueArray(fc.string({ minLength: 5, maxLength: 6 }), { maxLength: 3 }),
      // few distinct weights, so that ties and weightless partitions happen
      weights: fc.array(fc.nat(5), { minLength: 40, maxLength: 40 }),
    })
    .filter(({ members, leaving }) => leaving < members.length || members.length === 1);

  /** A first generation without load, then one where a member left and others joined. */
  function nextGeneration(
    {
      partitions,
      members,
      leaving,
      joining,
    }: { partitions: number; members: string[]; leaving: number; joining: string[] },
    loadOf: ((partition: number) => number) | null,
  ): { stayed: StickyMember[]; next: StickyMember[]; all: Record<string, number[]> } {
    const all = { [TOPIC]: range(partitions) };
    const first = planStickyAssignment(
      members.map((memberId) => ({ memberId, owned: {} })),
      all,
    );
    const stayed = ownedAfter(first)
      .filter((_, index) => index !== leaving)
      .map((member) =>
        loadOf === null
          ? member
          : {
              ...member,
              load: { [TOPIC]: new Map((member.owned[TOPIC] ?? []).map((p) => [p, loadOf(p)])) },
            },
      );
    return {
      stayed,
      next: [...stayed, ...joining.map((memberId) => ({ memberId, owned: {} }))],
      all,
    };
  }

  it('without load: assigns every partition once, by count, and keeps what each member can', () => {
    fc.assert(
      fc.property(generations, (scenario) => {
        const { stayed, next, all } = nextGeneration(scenario, null);
        if (next.length === 0) {
          return;
        }
        const plan = planStickyAssignment(next, all);

        const assigned = next.flatMap(({ memberId }) => partitionsOf(plan, memberId));
        expect([...assigned].sort((a, b) => a - b)).toEqual(range(scenario.partitions));
        const counts = next.map(({ memberId }) => partitionsOf(plan, memberId).length);
        expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        // stickiness: a member keeps as many of its partitions as its share allows
        for (const { memberId, owned } of stayed) {
          const mine = owned[TOPIC] ?? [];
          const now = partitionsOf(plan, memberId);
          expect(now.filter((p) => mine.includes(p))).toHaveLength(
            Math.min(mine.length, now.length),
          );
        }
      }),
      { numRuns: 500, endOnFailure: true },
    );
  });

  it('with load: assigns every partition once, within the fair load plus one partition, sticky', () => {
    fc.assert(
      fc.property(generations, (scenario) => {
        const { stayed, next, all } = nextGeneration(
          scenario,
          (partition) => scenario.weights[partition] ?? 0,
        );
        if (next.length === 0) {
          return;
        }
        // the load the plan knows: the departed member's partitions weigh nothing
        const known = new Set(stayed.flatMap((member) => member.owned[TOPIC] ?? []));
        const weightOf = (partition: number): number =>
          known.has(partition) ? (scenario.weights[partition] ?? 0) : 0;
        const plan = planStickyAssignment(next, all);

        const assigned = next.flatMap(({ memberId }) => partitionsOf(plan, memberId));
        expect([...assigned].sort((a, b) => a - b)).toEqual(range(scenario.partitions));
        const loadOf = (partitions: readonly number[]): number =>
          partitions.reduce((sum, p) => sum + weightOf(p), 0);
        const total = loadOf(range(scenario.partitions));
        const fair = total / next.length;
        const heaviest = Math.max(...range(scenario.partitions).map(weightOf));
        for (const { memberId } of next) {
          expect(loadOf(partitionsOf(plan, memberId))).toBeLessThanOrEqual(fair + heaviest);
        }
        for (const { memberId, owned } of stayed) {
          const mine = (owned[TOPIC] ?? []).filter((p) => weightOf(p) > 0);
          const now = partitionsOf(plan, memberId);
          if (total > 0 && mine.length > 0) {
            // its heaviest partition stays; all its loaded ones if they were within the fair load
            const top = Math.max(...mine.map(weightOf));
            expect(now.some((p) => mine.includes(p) && weightOf(p) === top)).toBe(true);
            if (loadOf(mine) <= fair) {
              expect(mine.filter((p) => !now.includes(p))).toEqual([]);
            }
          }
        }
      }),
      { numRuns: 500, endOnFailure: true },
    );
  });
});

describe('held partitions in the join user data', () => {
  it('round-trips the partitions, their load and the message sizes, rounded to whole numbers', () => {
    const held = {
      owned: { raw: [0, 3], other: [1] },
      load: { raw: weighing({ 0: 12.6, 3: 0 }) },
      sizes: { raw: 811.4 },
    };
    expect(decodeHeldPartitions(encodeHeldPartitions(held))).toEqual({
      owned: { raw: [0, 3], other: [1] },
      load: { raw: weighing({ 0: 13, 3: 0 }) },
      sizes: { raw: 811 },
    });
  });

  it("reads the previous release's payload (partitions only), and nothing from garbage", () => {
    expect(decodeHeldPartitions(Buffer.from('{"raw":[2,5]}'))).toEqual({
      owned: { raw: [2, 5] },
      load: {},
    });
    expect(decodeHeldPartitions(Buffer.from('not json'))).toEqual({ owned: {} });
    expect(decodeHeldPartitions(Buffer.from('{"raw":[-1]}'))).toEqual({ owned: {} });
  });

  it("is read by the previous release's leader as the partitions alone", () => {
    // that leader validated the payload as topic → partitions and looked up the group's topics
    const previous = z.record(z.string(), z.array(z.number().int().nonnegative()));
    const payload = encodeHeldPartitions({
      owned: { raw: [1, 4] },
      load: { raw: weighing({ 1: 7, 4: 9 }) },
      sizes: { raw: 900 },
    });
    const read = previous.parse(JSON.parse(payload.toString('utf8')));
    expect(read['raw']).toEqual([1, 4]);
    expect(Object.keys(read).filter((key) => /^[a-zA-Z0-9._-]+$/.test(key))).toEqual(['raw']);
  });
});

describe(stickyAssigner.name, () => {
  const logger = {} as Logger;
  const cluster = {
    findTopicPartitionMetadata: () =>
      range(4).map((partitionId) => ({
        partitionErrorCode: 0,
        partitionId,
        leader: 0,
        replicas: [0],
        isr: [0],
        offlineReplicas: [],
      })),
  } as unknown as Cluster;

  it("sends what the member holds at a join, and the leader's assignment keeps it", async () => {
    const held: Record<string, Assignment> = { a: { [TOPIC]: [0, 1, 2] }, b: { [TOPIC]: [3] } };
    const assigners = Object.fromEntries(
      Object.keys(held).map((id) => [
        id,
        stickyAssigner(() => ({ owned: held[id] ?? {}, load: {} }))({
          cluster,
          groupId: 'g',
          logger,
        }),
      ]),
    );
    const members = Object.entries(assigners).map(([memberId, assigner]) => ({
      memberId,
      memberMetadata: assigner.protocol({ topics: [TOPIC] }).metadata,
    }));
    members.push({
      memberId: 'c',
      memberMetadata: AssignerProtocol.MemberMetadata.encode({
        version: 1,
        topics: [TOPIC],
        userData: Buffer.from('not json'),
      }),
    });
    const leader = assigners['a'];
    if (leader === undefined) {
      throw new Error('no leader');
    }
    expect(leader.protocol({ topics: [TOPIC] }).name).toBe(STICKY_ASSIGNER_NAME);

    const result = await leader.assign({ members, topics: [TOPIC] });

    const decoded = Object.fromEntries(
      result.map(({ memberId, memberAssignment }) => [
        memberId,
        AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment[TOPIC] ?? [],
      ]),
    );
    expect(decoded).toEqual({ a: [0, 1], b: [3], c: [2] });
  });

  /** The plan of a leader whose members hold nothing, with `backlog` as its backlog reader. */
  async function freshPlan(
    backlog: BacklogReader,
    timeoutMs?: number,
  ): Promise<{ plan: Record<string, number[]>; warnings: string[] }> {
    const warnings: string[] = [];
    const warnLogger = { warn: (message: string) => warnings.push(message) } as unknown as Logger;
    const factory = stickyAssigner(() => ({ owned: {}, load: {} }), backlog, timeoutMs);
    const assigner = factory({ cluster, groupId: 'g', logger: warnLogger });
    const metadata = assigner.protocol({ topics: [TOPIC] }).metadata;
    const result = await assigner.assign({
      members: ['a', 'b'].map((memberId) => ({ memberId, memberMetadata: metadata })),
      topics: [TOPIC],
    });
    const plan = Object.fromEntries(
      result.map(({ memberId, memberAssignment }) => [
        memberId,
        AssignerProtocol.MemberAssignment.decode(memberAssignment)?.assignment[TOPIC] ?? [],
      ]),
    );
    return { plan, warnings };
  }

  it("weighs partitions by the backlog the leader reads, and plans without it when it can't", async () => {
    const asked: Array<readonly string[]> = [];
    const read = await freshPlan((topics) => {
      asked.push(topics);
      return Promise.resolve({ [TOPIC]: weighing({ 0: 10, 1: 10, 2: 10, 3: 5_000 }) });
    });
    expect(asked).toEqual([[TOPIC]]);
    expect(read).toEqual({ plan: { a: [3], b: [0, 1, 2] }, warnings: [] });

    const failed = await freshPlan(() => Promise.reject(new Error('coordinator not available')));
    expect(failed).toEqual({
      plan: { a: [0, 1], b: [2, 3] },
      warnings: ['planning the assignment without the backlog'],
    });

    const silent = await freshPlan(() => new Promise<never>(() => undefined), 20);
    expect(silent).toEqual(failed);
  });
});
