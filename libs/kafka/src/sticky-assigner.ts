import { AssignerProtocol } from 'kafkajs';
import { z } from 'zod';

import type { Assignment, PartitionAssigner } from 'kafkajs';

/** Name of the protocol; the group uses it once every member offers it. */
export const STICKY_ASSIGNER_NAME = 'TrailInsightSticky';
const STICKY_ASSIGNER_VERSION = 1;

/** What a member tells the group leader at a join: the partitions it holds now, by topic. */
const ownedSchema = z.record(z.string(), z.array(z.number().int().nonnegative()));

/** One member of a rebalance and the partitions it held before it (empty for a new member). */
export interface StickyMember {
  memberId: string;
  owned: Readonly<Record<string, readonly number[]>>;
}

/**
 * The assignment of a rebalance that moves as few partitions as balance allows. Per topic, with
 * `n` partitions and `m` members, `n mod m` members get ⌈n/m⌉ partitions and the others ⌊n/m⌋;
 * the larger shares go to the members that held the most. Each member keeps the partitions it
 * held (lowest first) up to its share; the partitions left go to the members under their share,
 * in member id order. A partition two members claim (only after a split-brain generation) is
 * kept by the first in id order. Every member is taken to consume every topic, as in kafkajs'
 * round robin: the members of one of our groups are replicas of one service. Pure and
 * deterministic.
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
    const claimed = new Set<number>();
    const claims = sorted.map((member) => {
      const mine = [...new Set(member.owned[topic] ?? [])]
        .filter((partition) => exists.has(partition) && !claimed.has(partition))
        .sort((a, b) => a - b);
      for (const partition of mine) {
        claimed.add(partition);
      }
      return { memberId: member.memberId, mine };
    });
    const base = Math.floor(exists.size / sorted.length);
    const larger = new Set(
      [...claims]
        .sort((a, b) => b.mine.length - a.mine.length || (a.memberId < b.memberId ? -1 : 1))
        .slice(0, exists.size % sorted.length)
        .map((claim) => claim.memberId),
    );
    const kept = new Set<number>();
    const shares = claims.map(({ memberId, mine }) => {
      const share = base + (larger.has(memberId) ? 1 : 0);
      const keep = mine.slice(0, share);
      for (const partition of keep) {
        kept.add(partition);
      }
      return { memberId, share, taken: keep };
    });
    const free = [...exists].filter((partition) => !kept.has(partition)).sort((a, b) => a - b);
    let next = 0;
    for (const member of shares) {
      while (member.taken.length < member.share && next < free.length) {
        member.taken.push(free[next] as number);
        next += 1;
      }
      if (member.taken.length > 0) {
        (plan.get(member.memberId) as Assignment)[topic] = member.taken.sort((a, b) => a - b);
      }
    }
  }
  return plan;
}

/** The partitions a member said it held (its join metadata's user data); nothing if unreadable. */
function ownedOf(metadata: Buffer): StickyMember['owned'] {
  const decoded = AssignerProtocol.MemberMetadata.decode(metadata);
  if (decoded === null || decoded.userData.length === 0) {
    return {};
  }
  try {
    const parsed = ownedSchema.safeParse(JSON.parse(decoded.userData.toString('utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * A kafkajs assigner that keeps partitions where they are across rebalances
 * ({@link planStickyAssignment}): each member sends the partitions it holds (`owned()`, by
 * physical topic) when it joins. kafkajs' round robin reshuffles every partition at each
 * membership change; for the detector a moved partition reloads its accounts and reads a lateness
 * of its input again, so a rolling restart of N replicas moved nearly everything N times.
 */
export function stickyAssigner(owned: () => Assignment): PartitionAssigner {
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
          owned: ownedOf(memberMetadata),
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
        userData: Buffer.from(JSON.stringify(owned())),
      }),
    }),
  });
}
