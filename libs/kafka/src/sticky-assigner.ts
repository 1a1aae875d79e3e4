import { AssignerProtocol } from 'kafkajs';
import { z } from 'zod';

import type { Assignment, PartitionAssigner } from 'kafkajs';

/** Name of the protocol; the group uses it once every member offers it. */
export const STICKY_ASSIGNER_NAME = 'TrailInsightSticky';
const STICKY_ASSIGNER_VERSION = 1;

/**
 * What a member tells the group leader at a join (its join metadata's user data, JSON): the
 * partitions it holds now, by topic; under `load:<topic>` keys their recent load as flat
 * `[partition, weight, …]` pairs; under `size:<topic>` keys `[bytes]`, the average size of the
 * messages it read. `:` is not legal in a topic name, so neither key can be a topic, and a leader
 * of the release before loads were sent reads the same payload as before (it ignores keys that
 * are not topics of the group).
 */
const userDataSchema = z.record(z.string(), z.array(z.number().int().nonnegative()));
const LOAD_KEY_PREFIX = 'load:';
const SIZE_KEY_PREFIX = 'size:';

/** Weight of each partition a member holds, by topic (e.g. bytes consumed recently). */
export type PartitionWeights = Readonly<Record<string, ReadonlyMap<number, number>>>;

/** One member of a rebalance and the partitions it held before it (empty for a new member). */
export interface StickyMember {
  memberId: string;
  owned: Readonly<Record<string, readonly number[]>>;
  /** Recent load of the partitions it held; a partition without one weighs 0. */
  load?: PartitionWeights;
  /** Average size in bytes of the messages it read, by topic. */
  sizes?: Readonly<Record<string, number>>;
}

/** What a member holds at a join, as {@link stickyAssigner} sends it. */
export interface HeldPartitions {
  owned: Assignment;
  load: PartitionWeights;
  sizes?: Readonly<Record<string, number>>;
}

/** A topic's partitions as the plan sees them: who claims which, and what each weighs. */
interface TopicClaims {
  /** Each member (in id order) and the partitions it held, heaviest first. */
  claims: ReadonlyArray<{ memberId: string; mine: number[] }>;
  partitions: ReadonlySet<number>;
  weights: ReadonlyMap<number, number>;
}

/** One member's partitions of a topic while the plan is built. */
interface Share {
  memberId: string;
  taken: number[];
  load: number;
}

/**
 * The assignment of a rebalance that balances load and moves as few partitions as that allows.
 * A partition weighs what its holder reported (recent bytes consumed and bytes behind,
 * `partition-load.ts`), and at least its `backlog` (messages the group has not committed yet, as
 * the leader read them from the broker) at the topic's average message size: so a group that
 * starts on a backlog, where nobody holds anything, still sees which partition is heavy.
 *
 * With load known ({@link planByLoad}), shares are loads, not counts: a partition of a hot account
 * can carry most of a topic, and with equal counts the member that gets it also gets others and
 * bounds the group's throughput. Each member keeps its heaviest partition (its state is warm, and
 * for the detector a moved partition reloads its accounts and reads a lateness of its input again)
 * and the next ones while it stays near the fair load (the total over the members); the
 * partitions left go, heaviest first, to the least loaded member. No member ends above the fair
 * load plus one partition. Partitions that weigh nothing are spread by count.
 *
 * With no load known ({@link planByCount}), per topic with `n` partitions and `m` members,
 * `n mod m` members get ⌈n/m⌉ partitions and the others ⌊n/m⌋, the larger shares to the members
 * that held the most, each keeping what it held up to its share.
 *
 * A partition two members claim (only after a split-brain generation) is kept by the first in id
 * order. Every member is taken to consume every topic, as in kafkajs' round robin: the members of
 * one of our groups are replicas of one service. Pure and deterministic.
 */
export function planStickyAssignment(
  members: readonly StickyMember[],
  partitions: Readonly<Record<string, readonly number[]>>,
  backlog: PartitionWeights = {},
): Map<string, Assignment> {
  const sorted = [...members].sort((a, b) => (a.memberId < b.memberId ? -1 : 1));
  const plan = new Map<string, Assignment>(sorted.map((member) => [member.memberId, {}]));
  if (sorted.length === 0) {
    return plan;
  }
  for (const [topic, all] of Object.entries(partitions)) {
    const topicClaims = claimsOf(sorted, topic, all, backlog[topic]);
    let total = 0;
    for (const weight of topicClaims.weights.values()) {
      total += weight;
    }
    const shares = total > 0 ? planByLoad(topicClaims, total) : planByCount(topicClaims);
    for (const member of shares) {
      if (member.taken.length > 0) {
        (plan.get(member.memberId) as Assignment)[topic] = member.taken.sort((a, b) => a - b);
      }
    }
  }
  return plan;
}

/** Who claims which partition of `topic`, and each partition's weight. */
function claimsOf(
  sorted: readonly StickyMember[],
  topic: string,
  all: readonly number[],
  backlog: ReadonlyMap<number, number> | undefined,
): TopicClaims {
  const partitions = new Set(all);
  const weights = new Map<number, number>();
  const claimed = new Set<number>();
  const claims = sorted.map((member) => {
    const reported = member.load?.[topic];
    const mine = [...new Set(member.owned[topic] ?? [])].filter(
      (partition) => partitions.has(partition) && !claimed.has(partition),
    );
    for (const partition of mine) {
      claimed.add(partition);
      weights.set(partition, reported?.get(partition) ?? 0);
    }
    return { memberId: member.memberId, mine };
  });
  if (backlog !== undefined && backlog.size > 0) {
    const sizes = sorted.flatMap((member) => {
      const size = member.sizes?.[topic];
      return size === undefined || size <= 0 ? [] : [size];
    });
    // Without any size reported nobody reported a load either: every weight is then in messages.
    const size = sizes.length === 0 ? 1 : sizes.reduce((sum, each) => sum + each, 0) / sizes.length;
    for (const partition of partitions) {
      const behind = (backlog.get(partition) ?? 0) * size;
      weights.set(partition, Math.max(weights.get(partition) ?? 0, behind));
    }
  }
  for (const claim of claims) {
    claim.mine.sort(heaviestFirst(weights));
  }
  return { claims, partitions, weights };
}

function heaviestFirst(weights: ReadonlyMap<number, number>): (a: number, b: number) => number {
  return (a, b) => (weights.get(b) ?? 0) - (weights.get(a) ?? 0) || a - b;
}

/**
 * Shares by load: a member keeps its heaviest partition, then each next one (heaviest first) that
 * ends at most half of it above the fair load (keeping it leaves the member nearer the fair load
 * than giving it away would, so loads that differ only by noise do not move partitions), and
 * weightless ones up to ⌈n/m⌉ partitions in all. Free partitions go heaviest first to the least
 * loaded member (ties: fewest partitions, then id order), weightless ones to the member with the
 * fewest partitions. Each member ends at most one partition above the fair load: what it kept is
 * (or is one partition), and the least loaded member is at most at it.
 */
function planByLoad({ claims, partitions, weights }: TopicClaims, total: number): Share[] {
  const fair = total / claims.length;
  const cap = Math.ceil(partitions.size / claims.length);
  const kept = new Set<number>();
  const shares = claims.map(({ memberId, mine }): Share => {
    const share: Share = { memberId, taken: [], load: 0 };
    for (const partition of mine) {
      const weight = weights.get(partition) ?? 0;
      const keep =
        weight > 0
          ? share.taken.length === 0 || share.load + weight / 2 <= fair
          : share.taken.length < cap;
      if (keep) {
        share.taken.push(partition);
        share.load += weight;
        kept.add(partition);
      }
    }
    return share;
  });
  const free = [...partitions]
    .filter((partition) => !kept.has(partition))
    .sort(heaviestFirst(weights));
  for (const partition of free) {
    const weight = weights.get(partition) ?? 0;
    let target = shares[0] as Share;
    for (const member of shares) {
      const byLoad = member.load - target.load;
      const byCount = member.taken.length - target.taken.length;
      if ((weight > 0 ? byLoad || byCount : byCount || byLoad) < 0) {
        target = member;
      }
    }
    target.taken.push(partition);
    target.load += weight;
  }
  return shares;
}

/**
 * Shares by count: `n mod m` members get ⌈n/m⌉ partitions, the others ⌊n/m⌋, the larger shares to
 * the members that held the most; each keeps what it held up to its share (the lowest partitions
 * first), and the rest go to the members under their share in id order.
 */
function planByCount({ claims, partitions }: TopicClaims): Share[] {
  const base = Math.floor(partitions.size / claims.length);
  const larger = new Set(
    [...claims]
      .sort((a, b) => b.mine.length - a.mine.length || (a.memberId < b.memberId ? -1 : 1))
      .slice(0, partitions.size % claims.length)
      .map((claim) => claim.memberId),
  );
  const kept = new Set<number>();
  const shares = claims.map(({ memberId, mine }) => {
    const share = base + (larger.has(memberId) ? 1 : 0);
    const taken = mine.slice(0, share);
    for (const partition of taken) {
      kept.add(partition);
    }
    return { memberId, share, taken, load: 0 };
  });
  const free = [...partitions].filter((partition) => !kept.has(partition)).sort((a, b) => a - b);
  for (const partition of free) {
    const target = shares.find((member) => member.taken.length < member.share);
    if (target === undefined) {
      break;
    }
    target.taken.push(partition);
  }
  return shares;
}

/** A member's join user data: the partitions it holds, their load and the message sizes. */
export function encodeHeldPartitions(held: HeldPartitions): Buffer {
  const payload: Record<string, number[]> = { ...held.owned };
  for (const [topic, weights] of Object.entries(held.load)) {
    const pairs: number[] = [];
    for (const [partition, weight] of weights) {
      pairs.push(partition, Math.max(0, Math.round(weight)));
    }
    payload[`${LOAD_KEY_PREFIX}${topic}`] = pairs;
  }
  for (const [topic, size] of Object.entries(held.sizes ?? {})) {
    payload[`${SIZE_KEY_PREFIX}${topic}`] = [Math.max(0, Math.round(size))];
  }
  return Buffer.from(JSON.stringify(payload));
}

/** The user data a member sent at its join; nothing held if unreadable. */
export function decodeHeldPartitions(
  userData: Buffer,
): Pick<StickyMember, 'owned' | 'load' | 'sizes'> {
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
  const sizes: Record<string, number> = {};
  for (const [key, values] of Object.entries(parsed)) {
    if (key.startsWith(LOAD_KEY_PREFIX)) {
      const weights = new Map<number, number>();
      for (let index = 0; index + 1 < values.length; index += 2) {
        weights.set(values[index] as number, values[index + 1] as number);
      }
      load[key.slice(LOAD_KEY_PREFIX.length)] = weights;
    } else if (key.startsWith(SIZE_KEY_PREFIX)) {
      const [size] = values;
      if (size !== undefined) {
        sizes[key.slice(SIZE_KEY_PREFIX.length)] = size;
      }
    } else {
      owned[key] = values;
    }
  }
  return Object.keys(sizes).length === 0 ? { owned, load } : { owned, load, sizes };
}

/** What a member said it held (its join metadata's user data); nothing if unreadable. */
function heldOf(metadata: Buffer): Pick<StickyMember, 'owned' | 'load' | 'sizes'> {
  const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
  return decoded === null || decoded.userData.length === 0
    ? { owned: {} }
    : decodeHeldPartitions(decoded.userData);
}

/**
 * Messages not consumed yet per partition, by topic: what the group leader asks the broker for at
 * a rebalance (committed offsets against high watermarks). A rejection, or no answer within the
 * timeout ({@link BACKLOG_TIMEOUT_MS} by default), leaves the plan to the members' reports.
 */
export type BacklogReader = (topics: readonly string[]) => Promise<PartitionWeights>;

/** How long the leader waits for the backlog before it plans without it. */
export const BACKLOG_TIMEOUT_MS = 5_000;

/**
 * A kafkajs assigner that keeps partitions where they are across rebalances and balances their
 * load ({@link planStickyAssignment}): each member sends the partitions it holds, their recent
 * load and its average message size (`held()`, by physical topic) when it joins, and the leader
 * adds each partition's backlog (`backlog`, optional). kafkajs' round robin reshuffles every
 * partition at each membership change and balances counts, not load; for the detector a moved
 * partition reloads its accounts and reads a lateness of its input again, and the member holding a
 * hot account's partition with others bounds the group's throughput.
 */
export function stickyAssigner(
  held: () => HeldPartitions,
  backlog?: BacklogReader,
  backlogTimeoutMs = BACKLOG_TIMEOUT_MS,
): PartitionAssigner {
  return ({ cluster, logger }) => ({
    name: STICKY_ASSIGNER_NAME,
    version: STICKY_ASSIGNER_VERSION,
    assign: async ({ members, topics }) => {
      const partitions = Object.fromEntries(
        topics.map((topic) => [
          topic,
          cluster.findTopicPartitionMetadata(topic).map((metadata) => metadata.partitionId),
        ]),
      );
      let behind: PartitionWeights = {};
      if (backlog !== undefined) {
        try {
          behind = await withTimeout(backlog(topics), backlogTimeoutMs);
        } catch (error) {
          logger.warn('planning the assignment without the backlog', {
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }
      const plan = planStickyAssignment(
        members.map(({ memberId, memberMetadata }) => ({
          memberId,
          ...heldOf(memberMetadata),
        })),
        partitions,
        behind,
      );
      return [...plan].map(([memberId, assignment]) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: STICKY_ASSIGNER_VERSION,
          assignment,
          userData: Buffer.alloc(0),
        }),
      }));
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

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, expired]).finally(() => clearTimeout(timer));
}
