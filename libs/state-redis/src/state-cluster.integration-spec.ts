/**
 * Needs a real Redis Cluster (REDIS_CLUSTER_NODES, `host:port,…`, from deploy/local/stack.sh's
 * redis-cluster component in the integration tier's globalSetup). Proves that the store works
 * unchanged on a cluster: every key one persist touches hashes to one slot (as the server
 * computes it), so the script, the MULTI load and the index commands never hit CROSSSLOT, for
 * accounts spread over every node.
 */
import {
  DetectionEngine,
  NONE_MODEL,
  StateChanges,
  createAccountState,
} from '@trail-insight/detection';

import calculateSlot from 'cluster-key-slot';
import { Cluster } from 'ioredis';

import { AccountStateRepository } from './account-state.repository';
import { canonicalAccountState } from './canonical-account-state';
import { PersistOutcome } from './persist-script';
import { T0, makeEvent, testPrefix } from './test/redis-fixture';

import type { AccountState } from '@trail-insight/detection';

const TOPIC = 'normalized-events';

function clusterNodes(): Array<{ host: string; port: number }> {
  const nodes = process.env.REDIS_CLUSTER_NODES;
  if (nodes === undefined || nodes === '') {
    throw new Error(
      'REDIS_CLUSTER_NODES is not set: start the stack with its redis-cluster component',
    );
  }
  return nodes.split(',').map((node) => {
    const [host = '', port = ''] = node.split(':');
    return { host, port: Number(port) };
  });
}

describe('state store on Redis Cluster', () => {
  let cluster: Cluster;
  let prefix: string;
  let sut: AccountStateRepository;
  const accounts = Array.from({ length: 60 }, (_, i) => `acct-${i}`);

  beforeAll(async () => {
    cluster = new Cluster(clusterNodes(), { redisOptions: { maxRetriesPerRequest: 1 } });
    await cluster.ping();
  });

  afterAll(async () => {
    await cluster.quit();
  });

  beforeEach(() => {
    prefix = testPrefix();
    sut = new AccountStateRepository(cluster, { prefix });
  });

  afterEach(async () => {
    for (const accountId of accounts) {
      await sut.deleteAccount(accountId);
    }
    for (let partition = 0; partition < 4; partition += 1) {
      await cluster.del(sut.keys.verdicts(TOPIC, partition));
    }
  });

  it('hashes every key of an account to one slot, as the server computes it', async () => {
    for (const accountId of accounts.slice(0, 10)) {
      const slots = new Set<number>();
      for (const key of sut.keys.scriptKeys(accountId)) {
        slots.add(Number(await cluster.call('CLUSTER', 'KEYSLOT', key)));
      }
      expect(slots.size).toBe(1);
    }
  });

  it('persists, loads, advances and indexes accounts spread over every node', async () => {
    const engine = new DetectionEngine(
      { minBaseline: 0, homeRegion: null, allowList: [], model: NONE_MODEL },
      { windowClosed: () => undefined },
    );
    const states = new Map<string, AccountState>();
    for (const [i, accountId] of accounts.entries()) {
      const state = createAccountState(accountId);
      const changes = new StateChanges();
      engine.apply(
        state,
        makeEvent({ accountId, time: T0 + i, sourceIp: `203.0.113.${i}` }),
        changes,
      );
      engine.apply(
        state,
        makeEvent({ accountId, time: T0 + i + 1, sourceIp: '10.0.0.1' }),
        changes,
      );
      const outcome = await sut.persist(state, changes, {
        topic: TOPIC,
        partition: i % 4,
        offset: String(i),
      });
      expect(outcome).toBe(PersistOutcome.Applied);
      states.set(accountId, state);
    }
    const nodes = new Set(
      accounts.map((accountId) => cluster.slots[Number(calculateSlotOf(sut, accountId))]?.[0]),
    );

    for (const [i, accountId] of accounts.entries()) {
      const loaded = await sut.loadAccount(accountId);
      expect(canonicalAccountState(loaded.state)).toEqual(
        canonicalAccountState(states.get(accountId) as AccountState),
      );
      expect(await sut.appliedOffset(accountId, TOPIC, i % 4)).toBe(BigInt(i));
    }
    const due = await sut.dueAccounts(TOPIC, 0, Number.MAX_SAFE_INTEGER);
    const closing = states.get('acct-0') as AccountState;
    const changes = new StateChanges();
    engine.advance(closing, closing.nextVerdict + 1, changes);
    const advanced = await sut.persistAdvance(closing, changes, {
      topic: TOPIC,
      partition: 0,
      appliedOffset: '0',
    });

    expect(nodes.size).toBe(3);
    expect(due.sort()).toEqual(accounts.filter((_, i) => i % 4 === 0).sort());
    expect(advanced).toBe(PersistOutcome.Applied);
    expect(await sut.dueAccounts(TOPIC, 0, Number.MAX_SAFE_INTEGER)).not.toContain('acct-0');
  });
});

function calculateSlotOf(repository: AccountStateRepository, accountId: string): number {
  return calculateSlot(repository.keys.account(accountId).meta);
}
