import { AssignerProtocol } from 'kafkajs';
import { z } from 'zod';

import type { Assignment, PartitionAssigner } from 'kafkajs';

/** Name of the protocol; the group uses it once every member offers it. */
export const STICKY_ASSIGNER_NAME = 'TrailInsightSticky';
const STICKY_ASSIGNER_VERSION = 1;

/**
 * What a member tells the group leader at a join (its join metadata's user data, JSON): the
 * partitions it holds now, by topic, and under `load:<topic>` keys their recent load as flat
 * `[partition, weight, …]` pairs. `:` is not legal in a topic name, so no load key can be a
 * topic, and a leader of the release before loads were sent reads the same payload as before
 * (it ignores keys that are not topics of the group).
 */
const userDataSchema = z.record(z.string(), z.array(z.number().int().nonnegative()));
const LOAD_KEY_PREFIX = 'load:';

/** Weight of each partition a member holds, by topic (e.g. bytes consumed recently). */
export type PartitionWeights = Readonly<Record<string, ReadonlyMap<number, number>>>;

/** One member of a rebalance and the partitions it held before it (empty for a new member). */
export interface StickyMember {
  memberId: string;
  owned: Readonly<Record<string, readonly number[]>>;
  /** Recent load of the partitions it held; a partition without one weighs 0. */
  load?: PartitionWeights;
}

/** What a member holds at a join, as {@link stickyAssigner} sends it. */
export interface HeldPartitions {
  owned: Assignment;
  load: PartitionWeights;
}

/**
 * The assignment of a rebalance that moves as few partitions as balance allows, and balances
 * their load. Per topic, with `n` partitions and `m` members, `n mod m` members get ⌈n/m⌉
 * partitions and the others ⌊n/m⌋; the larger shares go to the members that held the most. Each
 * member keeps what it held up to its share; one over its share keeps its heaviest partition
 * (its state is the costliest to rebuild: the detector reads a lateness of its input again) and
 * gives away heavy ones beyond its fair load ({@link keepOf}). The partitions left go, heaviest
 * first, to the least loaded member under its share (ties: member id order). A partition two
 * members claim (only after a split-brain generation) is kept by the first in id order. Every
 * member is taken to consume every topic, as in kafkajs' round robin: the members of one of our
 * groups are replicas of one service. Pure and deterministic.
 */
export function planStickyAssignment(
  members: readonly StickyMember[],
  partitions: Readonly<Record<string, readonly number[]>>,
): Map<string, Assignment> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  const plan = new Map<string, Assignment>(sorted.map((member) => [member.memberId, {}]));
  if (sorted.length === 0) {
    return plan;
  }
  for (const [topic, all] of Object.entries(partitions)) {
    const exists = new Set(all);
    /** Weight of each claimed partition, as its claimant reported it. */
    const weights = new Map<number, number>();
    const heaviestFirst = (a: number, b: number): number =>
      (weights.get(b) ?? 0) - (weights.get(a) ?? 0) || a - b;
    const claims = sorted.map((member) => {
      const reported = member.load?.[topic];
      const mine = [...new Set(member.owned[topic] ?? [])].filter(
        (partition) => exists.has(partition) && !weights.has(partition),
      );
      for (const partition of mine) {
        weights.set(partition, reported?.get(partition) ?? 0);
      }
      return { memberId: member.memberId, mine: mine.sort(heaviestFirst) };
    });
    const base = Math.floor(exists.size / sorted.length);
    const larger = new Set(
      [...claims]
        .sort((a, b) => b.mine.length - a.mine.length || (a.memberId < b.memberId ? -1 : 1))
        .slice(0, exists.size % sorted.length)
        .map((claim) => claim.memberId),
    );
    let total = 0;
    for (const weight of weights.values()) {
      total += weight;
    }
    const fair = total / sorted.length;
    const kept = new Set<number>();
    const shares = claims.map(({ memberId, mine }) => {
      const share = base + (larger.has(memberId) ? 1 : 0);
      const taken = keepOf(mine, share, fair, weights);
      let load = 0;
      for (const partition of taken) {
        kept.add(partition);
        load += weights.get(partition) ?? 0;
      }
      return { memberId, share, taken, load };
    });
    const free = [...exists].filter((partition) => !kept.has(partition)).sort(heaviestFirst);
    for (const partition of free) {
      let target: (typeof shares)[number] | undefined;
      for (const member of shares) {
        if (
          member.taken.length < member.share &&
          (target === undefined || member.load < target.load)
        ) {
          target = member;
        }
      }
      if (target === undefined) {
        break;
      }
      target.taken.push(partition);
      target.load += weights.get(partition) ?? 0;
    }
    for (const member of shares) {
      if (member.taken.length > 0) {
        (plan.get(member.memberId) as Assignment)[topic] = member.taken.sort((a, b) => a - b);
      }
    }
  }
  return plan;
}

/**
 * The partitions a member keeps of those it held (heaviest first): all of them up to its share.
 * Over its share, its heaviest one (the costliest to move) and the next heaviest while its load
 * stays within the fair load `fair` (the group's total over its members), then its lightest ones
 * up to its share: the heavy ones it gives away balance the members that take them. With no load
 * known this keeps the lowest partitions.
 */
function keepOf(
  mine: readonly number[],
  share: number,
  fair: number,
  weights: ReadonlyMap<number, number>,
): number[] {
  if (mine.length <= share) {
    return [...mine];
  }
  const taken: number[] = [];
  const rest: number[] = [];
  let load = 0;
  for (const partition of mine) {
    const weight = weights.get(partition) ?? 0;
    if (taken.length < share && (taken.length === 0 || load + weight <= fair)) {
      taken.push(partition);
      load += weight;
    } else {
      rest.push(partition);
    }
  }
  for (let index = rest.length - 1; taken.length < share && index >= 0; index -= 1) {
    taken.push(rest[index] as number);
  }
  return taken;
}

/** A member's join user data: the partitions it holds and their load. */
export function encodeHeldPartitions(held: HeldPartitions): Buffer {
  const payload: Record<string, number[]> = { ...held.owned };
  for (const [topic, weights] of Object.entries(held.load)) {
    const pairs: number[] = [];
    for (const [partition, weight] of weights) {
      pairs.push(partition, Math.max(0, Math.round(weight)));
    }
    payload[`${LOAD_KEY_PREFIX}${topic}`] = pairs;
  }
  return Buffer.from(JSON.stringify(payload));
}

/** The user data a member sent at its join; nothing held if unreadable. */
export function decodeHeldPartitions(userData: Buffer): Pick<StickyMember, 'owned' | 'load'> {
  let parsed: z.infer<typeof userDataSchema>;
  try {
    const result = userDataSchema.safeParse(JSON.parse(userData.toString('utf8')));
    if (!result.success) {
      return { owned: {} };
    }
    parsed = result.data;
  } catch {
    return { owned: {} };
  }
  const owned: Record<string, number[]> = {};
  const load: Record<string, Map<number, number>> = {};
  for (const [key, values] of Object.entries(parsed)) {
    if (!key.startsWith(LOAD_KEY_PREFIX)) {
      owned[key] = values;
      continue;
    }
    const weights = new Map<number, number>();
    for (let index = 0; index + 1 < values.length; index += 2) {
      weights.set(values[index] as number, values[index + 1] as number);
    }
    load[key.slice(LOAD_KEY_PREFIX.length)] = weights;
  }
  return { owned, load };
}

/** What a member said it held (its join metadata's user data); nothing if unreadable. */
function heldOf(metadata: Buffer): Pick<StickyMember, 'owned' | 'load'> {
  const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
  return decoded === null || decoded.userData.length === 0
    ? { owned: {} }
    : decodeHeldPartitions(decoded.userData);
}

/**
 * A kafkajs assigner that keeps partitions where they are across rebalances
 * ({@link planStickyAssignment}): each member sends the partitions it holds and their recent load
 * (`held()`, by physical topic) when it joins. kafkajs' round robin reshuffles every partition at each
 * membership change; for the detector a moved partition reloads its accounts and reads a lateness
 * of its input again, so a rolling restart of N replicas moved nearly everything N times.
 */
export function stickyAssigner(held: () => HeldPartitions): PartitionAssigner {
  return ({ cluster }) => ({
    name: STICKY_ASSIGNER_NAME,
    version: STICKY_ASSIGNER_VERSION,
    assign: ({ members, topics }) => {
      const partitions = Object.fromEntries(
        topics.map((topic) => [
          topic,
          cluster.findTopicPartitionMetadata(topic).map((metadata) => metadata.partitionId),
        ]),
      );
      const plan = planStickyAssignment(
        members.map(({ memberId, memberMetadata }) => ({
          memberId,
          ...heldOf(memberMetadata),
        })),
        partitions,
      );
      return Promise.resolve(
        [...plan].map(([memberId, assignment]) => ({
          memberId,
          memberAssignment: AssignerProtocol.MemberAssignment.encode({
            version: STICKY_ASSIGNER_VERSION,
            assignment,
            userData: Buffer.alloc(0),
          }),
        })),
      );
    },
    protocol: ({ topics }) => ({
      name: STICKY_ASSIGNER_NAME,
      metadata: AssignerProtocol.MemberMetadata.encode({
        version: STICKY_ASSIGNER_VERSION,
        topics,
        userData: encodeHeldPartitions(held()),
      }),
    }),
  });
}
