import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, homedir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';

import { Redis } from 'ioredis';
// raw kafkajs only for the baseline (bareConsumer); lag queries go through @trail-insight/kafka
import { Kafka, logLevel } from 'kafkajs';

import {
  createLagAdmin,
  createProducer,
  createTopics,
  deleteTopics,
  parseBrokerList,
} from '@trail-insight/kafka';

import type { ChildProcess } from 'node:child_process';

import type { LagAdmin, OutboundMessage, PlainProducer } from '@trail-insight/kafka';

import { replayTrailPaths } from './replay.command';

/** Options of {@link benchPipeline}; every field has a default. */
export interface PipelineBenchOptions {
  /** Repository root (services/<svc>/dist, deploy/local, bench-results, docs); default cwd. */
  root?: string;
  /** Kafka and Redis; default: the local stack (`deploy/local/stack.sh up kafka redis`). */
  brokers?: string;
  redisUrl?: string;
  /** Where generated trails are cached (default `<root>/bench-results/data`). */
  dataDir?: string;
  /** Throughput trail: `trail-insight generate --days --events-per-day --accounts`. */
  days?: number;
  eventsPerDay?: number;
  accounts?: number;
  /** Partitions of the raw and normalized topics (default 6). */
  partitions?: number;
  /** Detector heterogeneity model (default `none`, as the analyze benchmark). */
  model?: 'none' | 'default';
  /**
   * Latency phase: steady events/s (default 10,000) for `seconds` (default the lateness + 60 s, so
   * the reorder buffer reaches its steady size, rate × lateness, before the phase ends).
   */
  rate?: number;
  seconds?: number;
  /** Bundle ingest, detector and aggregator first (`deploy/build/bundle.mjs`; default true). */
  bundle?: boolean;
  /** Write bench-results/pipeline-<date>.json and the docs/benchmarks.md table (default true). */
  write?: boolean;
  /** Write each service process's output (JSON logs) into this folder as `<service>-<port>.log`. */
  logDir?: string;
  /** Write a V8 CPU profile of every service process into this folder (`node --cpu-prof`). */
  profileDir?: string;
  /** Stop after the throughput and memory phases (no latency phase, nothing written). */
  throughputOnly?: boolean;
  /** Layout of the latency phase: `services` (default) or `fused` (`DETECTOR_INPUT=raw`, no ingest). */
  latencyLayout?: 'services' | 'fused';
  /** Detector processes of the fused layout (`DETECTOR_INPUT=raw`; default 2). */
  fusedReplicas?: number;
  /** Ingest processes of the services layout (default 1; the detector runs one). */
  ingestReplicas?: number;
  /** Extra environment for every service (e.g. `KAFKA_PARTITIONS_CONCURRENTLY`), to compare settings. */
  serviceEnv?: Record<string, string>;
  /** Extra node options for every service process (e.g. `--trace-gc`), before its entry script. */
  nodeArgs?: readonly string[];
  log?: (line: string) => void;
}

type Measured = 'ingest' | 'detector' | 'aggregator' | 'kafka' | 'redis';

/**
 * NODE_OPTIONS of ingest and the detector, as the chart and `deploy/local/pipeline.sh` give them
 * (`--env NODE_OPTIONS=…` replaces it). `npm run bench` runs the CLI, hence the bare consumer,
 * with the same option, so the baseline is not the only one on V8's default young generation.
 */
export const SERVICE_NODE_OPTIONS = '--max-semi-space-size=64';

/** Runs of the bare consumer; the median one is the baseline (one run varied by ±20 % here). */
const BARE_RUNS = 3;

/** Everything one run measured; written as bench-results/pipeline-<date>.json. */
export interface PipelineBenchResult {
  date: string;
  machine: {
    cpus: number;
    cpu: string;
    memoryGiB: number;
    node: string;
    kafka: string;
    redis: string;
  };
  settings: {
    partitions: number;
    model: 'none' | 'default';
    latenessMs: number;
    /** NODE_OPTIONS of ingest and the detector; node options of the bench (the bare consumer). */
    serviceNodeOptions: string;
    benchNodeOptions: string;
  };
  throughput: {
    trail: string;
    /** Messages in the raw topic (one record each), valid events among them. */
    messages: number;
    events: number;
    /** The median of {@link BARE_RUNS} runs; `runs` = every run's messages/s, in run order. */
    bareConsumer: BareRun & { runs: number[] };
    /** ingest (`replicas` processes) → detector → aggregator (the default layout). */
    pipeline: LayoutRun & { replicas: number };
    /** Pipeline messages/s ÷ bare consumer messages/s (target ≥ 0.5). */
    ratio: number;
    /** Ingest folded into the detector (`DETECTOR_INPUT=raw`) → aggregator, on the same raw topic. */
    fused: LayoutRun & { ratio: number; replicas: number };
  };
  memory: {
    accounts: number;
    usualIps: number;
    usualBytes: number;
    bytesPerUsualIp: number;
    openWindows: number;
    windowBytes: number;
    bytesPerOpenWindow: number;
    /** De-duplication ids (the last hour of event time per account, `ids` sorted sets). */
    dedupIds: number;
    dedupBytes: number;
    bytesPerDedupId: number;
    encodings: Record<string, number>;
  };
  /** Null when the run was `throughputOnly`. */
  latency: {
    /** `fused`: the detector read the raw topic itself (no ingest; maxLag.ingest is 0). */
    layout: 'services' | 'fused';
    targetRate: number;
    achievedRate: number;
    seconds: number;
    probes: number;
    visible: number;
    p50Ms: number;
    p99Ms: number;
    maxMs: number;
    /** Where each probe showed first: the detector's preview hash or state-redis's windows hash. */
    firstSeenIn: { preview: number; windows: number };
    /** Largest consumer lag (messages) of ingest and detector sampled during the run. */
    maxLag: { ingest: number; detector: number };
    /**
     * The detector's reorder buffer at the end: the events it holds (about rate × lateness, in
     * its memory) and the spilled entries copied to Redis (the partitions' `:buf` hashes and
     * `:order` sorted sets; none unless an entry was held longer than DETECTOR_SPILL_AFTER_MS).
     */
    buffer: { events: number; messages: number; bytes: number; bytesPerEvent: number };
    /** Resident memory of each service at the end of the run. */
    rssMb: Record<Service, number>;
  } | null;
}

/** One layout's pass over the raw topic. */
interface LayoutRun {
  seconds: number;
  messagesPerSecond: number;
  cpuSeconds: Record<Measured, number>;
  /** CPU milliseconds per 1,000 input messages, per process (ingest is 0 in the fused layout). */
  cpuMsPerThousand: Record<Measured, number>;
  insights: number;
}

type LatencyResult = NonNullable<PipelineBenchResult['latency']>;

const BEGIN = '<!-- bench:pipeline:begin -->';
const END = '<!-- bench:pipeline:end -->';
const LATENESS_MS = 600_000;
/** Detector processes of the fused layout: one per core of the 2-core reference machine. */
const DEFAULT_FUSED_REPLICAS = 2;
const DEFAULT_INGEST_REPLICAS = 1;
const REGION = 'cn-hangzhou';
const SERVICES = ['aggregator', 'detector', 'ingest'] as const;
type Service = (typeof SERVICES)[number];

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process used so far, from /proc; 0 when unreadable. */
function cpuSecondsOf(pid: number | undefined): number {
  if (pid === undefined) {
    return 0;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

function stackPid(name: string): number | undefined {
  const dir =
    process.env['TRAIL_INSIGHT_STACK_DIR'] ?? join(homedir(), '.cache/trail-insight/stack');
  try {
    return Number(readFileSync(join(dir, 'run', `${name}.pid`), 'utf8').trim()) || undefined;
  } catch {
    return undefined;
  }
}

/** How the bench starts service processes: output folders and extra node options. */
interface ProcessOptions {
  profile?: string;
  logs?: string;
  nodeArgs?: readonly string[];
}

/** A bundled service (`services/<name>/dist/main.js`) as a child process. */
class ServiceRun {
  private tail = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: Service,
    readonly port: number,
    private readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-20_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolveExit) => child.once('exit', () => resolveExit()));
  }

  static async start(
    root: string,
    name: Service,
    env: Record<string, string>,
    options: ProcessOptions = {},
  ): Promise<ServiceRun> {
    const profileDir = options.profile;
    const entry = join(root, 'services', name, 'dist/main.js');
    if (!existsSync(entry)) {
      throw new Error(`${entry} is missing: run node deploy/build/bundle.mjs ${name}`);
    }
    const port = await freePort();
    const profile =
      profileDir === undefined
        ? []
        : [
            '--cpu-prof',
            `--cpu-prof-dir=${profileDir}`,
            `--cpu-prof-name=${name}-${port}.cpuprofile`,
          ];
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...profile, entry], {
      cwd: root,
      env: {
        PATH: process.env['PATH'] ?? '',
        ...env,
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (options.logs !== undefined) {
      const file = createWriteStream(join(options.logs, `${name}-${port}.log`));
      child.stdout?.pipe(file);
      child.stderr?.pipe(file);
    }
    const run = new ServiceRun(name, port, child);
    await run.waitReady();
    return run;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /**
   * Sum over every series of metric `<service prefix>_<name>` (all label sets) on the service's
   * /metrics, e.g. `buffered_events` over the detector's partitions.
   */
  async metricSum(name: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
    const series = new RegExp(`^\\w+_${name}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
    let sum = 0;
    for (const match of text.matchAll(series)) {
      sum += Number(match[1]);
    }
    return sum;
  }

  private async waitReady(): Promise<void> {
    let gone = false;
    void this.exited.then(() => {
      gone = true;
    });
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (gone) {
        throw new Error(`${this.name} exited during start:\n${this.tail}`);
      }
      try {
        const response = await fetch(`http://127.0.0.1:${this.port}/ready`);
        if (response.status === 200) {
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 100));
    }
    throw new Error(`${this.name} not ready after 60 s:\n${this.tail}`);
  }

  async stop(): Promise<void> {
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 30_000);
    await this.exited;
    clearTimeout(timer);
  }
}

interface Topics {
  raw: string;
  normalized: string;
  ipInsights: string;
  insightEvents: string;
  deadLetter: string;
}

/** One pipeline (ingest, detector, aggregator) over its own topics, groups and Redis prefix. */
class BenchPipeline {
  readonly id = randomUUID().slice(0, 8);
  readonly prefix = `bench-${this.id}:`;
  readonly topics: Topics = {
    raw: `bench-${this.id}-raw`,
    normalized: `bench-${this.id}-normalized`,
    ipInsights: `bench-${this.id}-ip-insights`,
    insightEvents: `bench-${this.id}-insight-events`,
    deadLetter: `bench-${this.id}-dead-letter`,
  };
  readonly groups: Record<Service, string> = {
    ingest: `bench-${this.id}-ingest`,
    detector: `bench-${this.id}-detector`,
    aggregator: `bench-${this.id}-aggregator`,
  };
  /** The running processes of each service (the fused layout may run several detectors). */
  readonly runs = new Map<Service, ServiceRun[]>();
  /**
   * Its own admin: kafkajs keeps every topic an admin ever looked at in its metadata, so one admin
   * shared across pipelines would keep retrying the deleted topics of the previous one.
   */
  readonly admin: LagAdmin;

  constructor(
    private readonly root: string,
    private readonly brokers: string,
    private readonly redisUrl: string,
    private readonly partitions: number,
    private readonly detectorEnv: Record<string, string>,
    private readonly processOptions: ProcessOptions,
    private readonly serviceEnv: Record<string, string>,
    /** Read another pipeline's raw topic (neither created nor deleted by this one). */
    private readonly sharedRaw?: string,
  ) {
    if (sharedRaw !== undefined) {
      this.topics.raw = sharedRaw;
    }
    this.admin = createLagAdmin({
      brokers: parseBrokerList(brokers),
      clientId: `bench-${this.id}-admin`,
    });
  }

  async createTopics(): Promise<void> {
    await this.admin.connect();
    const connection = { brokers: parseBrokerList(this.brokers), clientId: `bench-${this.id}` };
    const own = this.sharedRaw === undefined ? [this.topics.raw] : [];
    await createTopics(connection, [...own, this.topics.normalized], this.partitions);
    await createTopics(connection, [this.topics.ipInsights, this.topics.insightEvents], 2);
    await createTopics(connection, [this.topics.deadLetter], 1);
  }

  private envOf(service: Service): Record<string, string> {
    const common = {
      KAFKA_BROKERS: this.brokers,
      KAFKA_GROUP_ID: this.groups[service],
      KAFKA_TOPIC_NORMALIZED_EVENTS: this.topics.normalized,
      KAFKA_TOPIC_IP_INSIGHTS: this.topics.ipInsights,
      KAFKA_TOPIC_INSIGHT_EVENTS: this.topics.insightEvents,
      KAFKA_TOPIC_DEAD_LETTER: this.topics.deadLetter,
      LOG_LEVEL: 'warn',
      ...this.serviceEnv,
    };
    switch (service) {
      case 'ingest':
        return {
          NODE_OPTIONS: SERVICE_NODE_OPTIONS,
          ...common,
          INGEST_INPUT_TOPIC: this.topics.raw,
        };
      case 'detector':
        return {
          NODE_OPTIONS: SERVICE_NODE_OPTIONS,
          ...common,
          REDIS_URL: this.redisUrl,
          REDIS_PREFIX: this.prefix,
          DETECTOR_RAW_INPUT_TOPIC: this.topics.raw,
          ...this.detectorEnv,
        };
      case 'aggregator':
        return { ...common, REDIS_URL: this.redisUrl, INSIGHT_STORE_PREFIX: this.prefix };
    }
  }

  /**
   * Starts one more process of `service` (in its consumer group) and waits until it is ready; the
   * `replica`-th ingest gets a transactional id of its own (the default one names the host, and
   * two processes sharing it would fence each other).
   */
  async start(service: Service, replica = 0): Promise<ServiceRun> {
    const env = this.envOf(service);
    if (service === 'ingest' && replica > 0) {
      env['INGEST_TRANSACTIONAL_ID'] = `bench-${this.id}-ingest-${replica}`;
    }
    const run = await ServiceRun.start(this.root, service, env, this.processOptions);
    this.runs.set(service, [...(this.runs.get(service) ?? []), run]);
    return run;
  }

  /** The first process of `service`, if running. */
  run(service: Service): ServiceRun | undefined {
    return this.runs.get(service)?.[0];
  }

  /** CPU seconds all processes of `service` used so far. */
  cpuSeconds(service: Service): number {
    return (this.runs.get(service) ?? []).reduce((sum, run) => sum + cpuSecondsOf(run.pid), 0);
  }

  /** Sum of a detector metric over every detector process. */
  async detectorMetricSum(name: string): Promise<number> {
    const sums = await Promise.all(
      (this.runs.get('detector') ?? []).map((run) => run.metricSum(name)),
    );
    return sums.reduce((sum, value) => sum + value, 0);
  }

  async stop(): Promise<void> {
    for (const service of [...SERVICES].reverse()) {
      for (const run of this.runs.get(service) ?? []) {
        await run.stop();
      }
    }
    this.runs.clear();
  }

  async cleanup(redis: Redis): Promise<void> {
    await this.stop();
    await this.admin.close();
    await deleteTopics(
      { brokers: parseBrokerList(this.brokers), clientId: `bench-${this.id}` },
      Object.values(this.topics).filter((topic) => topic !== this.sharedRaw),
    );
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) {
        await redis.unlink(...keys);
      }
    } while (cursor !== '0');
  }
}

function stackSettings(root: string): Record<string, string> {
  const output = execFileSync(
    'bash',
    [join(root, 'deploy/local/stack.sh'), 'up', 'kafka', 'redis'],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const settings: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const [, key, value] = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim()) ?? [];
    if (key !== undefined && value !== undefined) {
      settings[key] = value;
    }
  }
  return settings;
}

/** The Kafka version `stack.sh status kafka` reports, or `unknown`. */
function kafkaVersionOf(root: string): string {
  try {
    const status = execFileSync('bash', [join(root, 'deploy/local/stack.sh'), 'status', 'kafka'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return /Kafka (\d+\.\d+\.\d+)/.exec(status)?.[1] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

function ensureTrail(
  root: string,
  dataDir: string,
  days: number,
  perDay: number,
  accounts: number,
): string {
  const dir = join(dataDir, `pipeline-${days}d-${perDay}-${accounts}a`);
  if (!existsSync(join(dir, '.complete'))) {
    mkdirSync(dir, { recursive: true });
    execFileSync(
      process.execPath,
      [
        join(root, 'services/cli/bin/trail-insight.js'),
        'generate',
        dir,
        '--days',
        String(days),
        '--events-per-day',
        String(perDay),
        '--accounts',
        String(accounts),
        '--seed',
        '7',
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    writeFileSync(join(dir, '.complete'), '');
  }
  return dir;
}

/**
 * A bare kafkajs consumer that only JSON.parses every message of `topic`: the baseline. It stays
 * raw kafkajs on purpose (the one kafkajs import outside libs/kafka): the benchmark compares the
 * pipeline with kafkajs itself, not with the lib's consumer.
 */
interface BareRun {
  seconds: number;
  messagesPerSecond: number;
  cpuSeconds: number;
}

async function bareConsumer(brokers: string, topic: string, messages: number): Promise<BareRun> {
  const kafka = new Kafka({
    brokers: parseBrokerList(brokers),
    clientId: 'bench-bare',
    logLevel: logLevel.NOTHING,
  });
  const consumer = kafka.consumer({ groupId: `bench-bare-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  let joinedAt = 0;
  let cpuAtJoin = process.cpuUsage();
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joinedAt = performance.now();
    cpuAtJoin = process.cpuUsage();
  });
  let seen = 0;
  let parsed = 0;
  const done = new Promise<number>((resolveDone) => {
    void consumer.run({
      eachBatch: async (payload) => {
        for (const message of payload.batch.messages) {
          try {
            JSON.parse(message.value?.toString('utf8') ?? 'null');
            parsed += 1;
          } catch {
            // malformed lines cost the same to the baseline as to ingest
          }
          seen += 1;
          payload.resolveOffset(message.offset);
        }
        await payload.heartbeat();
        if (seen >= messages) {
          resolveDone(performance.now());
        }
      },
    });
  });
  const finished = await done;
  const cpu = process.cpuUsage(cpuAtJoin);
  await consumer.disconnect();
  const seconds = (finished - joinedAt) / 1000;
  if (parsed === 0) {
    throw new Error('bare consumer parsed nothing');
  }
  return {
    seconds,
    messagesPerSecond: Math.round(messages / seconds),
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  };
}

/** The median element of a non-empty list by `key` (the upper one of an even count). */
export function medianBy<T>(items: readonly T[], key: (item: T) => number): T {
  const sorted = [...items].sort((a, b) => key(a) - key(b));
  const median = sorted[Math.floor(sorted.length / 2)];
  if (median === undefined) {
    throw new Error('the median of nothing');
  }
  return median;
}

async function waitUntil(
  predicate: () => Promise<boolean>,
  timeoutMs: number,
  label: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${label}`);
    }
    await new Promise((resolveWait) => setTimeout(resolveWait, 100));
  }
}

function cpuSnapshot(pipeline: BenchPipeline): Record<Measured, number> {
  return {
    ingest: pipeline.cpuSeconds('ingest'),
    detector: pipeline.cpuSeconds('detector'),
    aggregator: pipeline.cpuSeconds('aggregator'),
    kafka: cpuSecondsOf(stackPid('kafka')),
    redis: cpuSecondsOf(stackPid('redis')),
  };
}

/** MEMORY USAGE (SAMPLES 0) of every account's usual-IP and windows hash, per entry. */
async function measureMemory(redis: Redis, prefix: string): Promise<PipelineBenchResult['memory']> {
  const memory: PipelineBenchResult['memory'] = {
    accounts: 0,
    usualIps: 0,
    usualBytes: 0,
    bytesPerUsualIp: 0,
    openWindows: 0,
    windowBytes: 0,
    bytesPerOpenWindow: 0,
    dedupIds: 0,
    dedupBytes: 0,
    bytesPerDedupId: 0,
    encodings: {},
  };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}{acct:*}:meta`, 'COUNT', 1000);
    cursor = next;
    for (const meta of keys) {
      memory.accounts += 1;
      const base = meta.slice(0, -'meta'.length);
      for (const kind of ['usual', 'windows'] as const) {
        const key = `${base}${kind}`;
        const entries = await redis.hlen(key);
        if (entries === 0) {
          continue;
        }
        const bytes = Number((await redis.memory('USAGE', key, 'SAMPLES', '0')) ?? 0);
        const encoding = String(await redis.object('ENCODING', key));
        memory.encodings[`${kind}:${encoding}`] =
          (memory.encodings[`${kind}:${encoding}`] ?? 0) + 1;
        if (kind === 'usual') {
          memory.usualIps += entries;
          memory.usualBytes += bytes;
        } else {
          memory.openWindows += entries;
          memory.windowBytes += bytes;
        }
      }
      const ids = await redis.zcard(`${base}ids`);
      if (ids > 0) {
        memory.dedupIds += ids;
        memory.dedupBytes += Number(
          (await redis.memory('USAGE', `${base}ids`, 'SAMPLES', '0')) ?? 0,
        );
      }
    }
  } while (cursor !== '0');
  memory.bytesPerUsualIp =
    memory.usualIps === 0 ? 0 : Math.round((memory.usualBytes / memory.usualIps) * 10) / 10;
  memory.bytesPerOpenWindow =
    memory.openWindows === 0 ? 0 : Math.round((memory.windowBytes / memory.openWindows) * 10) / 10;
  memory.bytesPerDedupId =
    memory.dedupIds === 0 ? 0 : Math.round((memory.dedupBytes / memory.dedupIds) * 10) / 10;
  return memory;
}

/** Events buffered, and MEMORY USAGE of the spilled entries (`P{p:<topic>:<partition>}:buf|order`). */
async function measureBuffer(
  redis: Redis,
  prefix: string,
  detector: ServiceRun | undefined,
): Promise<LatencyResult['buffer']> {
  const buffer = { events: 0, messages: 0, bytes: 0, bytesPerEvent: 0 };
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}{p:*}:buf`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      buffer.messages += await redis.hlen(key);
      for (const part of [key, `${key.slice(0, -'buf'.length)}order`]) {
        buffer.bytes += Number((await redis.memory('USAGE', part, 'SAMPLES', '0')) ?? 0);
      }
    }
  } while (cursor !== '0');
  // Redis holds whole entries; the events still to apply are the detector's gauge.
  buffer.events = (await detector?.metricSum('buffered_events')) ?? 0;
  buffer.bytesPerEvent = buffer.events === 0 ? 0 : Math.round(buffer.bytes / buffer.events);
  return buffer;
}

/** Resident set size of a process in MiB, from /proc; 0 when unreadable. */
function rssMbOf(pid: number | undefined): number {
  if (pid === undefined) {
    return 0;
  }
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/**
 * One layout's pass over the filled raw topic, timed from the moment its first consumer of the
 * raw topic is ready (as the bare consumer's clock starts at its join) until every group's lag is
 * 0: `services` = ingest → detector → aggregator, `fused` = the detector reading the raw topic
 * itself (`DETECTOR_INPUT=raw`) → aggregator.
 */
async function runLayout(
  context: BenchContext,
  pipeline: BenchPipeline,
  layout: 'services' | 'fused',
  messages: number,
  replicas = 1,
): Promise<LayoutRun> {
  const { log } = context;
  const admin = pipeline.admin;
  const first: Service = layout === 'services' ? 'ingest' : 'detector';
  await pipeline.createTopics();
  await pipeline.start('aggregator');
  if (layout === 'services') {
    await pipeline.start('detector');
  }
  const before = cpuSnapshot(pipeline);
  const started = performance.now();
  // The replicas start together, as a Deployment's pods do. The clock starts when the first is
  // ready (as the bare consumer's at its join); the others join while it consumes (their
  // rebalance counts). Boots are not per-event work: each one's CPU counts from its readiness.
  const ready: number[] = [];
  before[first] = 0;
  await Promise.all(
    Array.from({ length: replicas }, async (_, replica) => {
      const run = await pipeline.start(first, replica);
      ready.push(performance.now());
      before[first] += cpuSecondsOf(run.pid);
    }),
  );
  const joined = Math.min(...ready);
  const groups: Array<[string, string]> =
    layout === 'services'
      ? [
          [pipeline.groups.ingest, pipeline.topics.raw],
          [pipeline.groups.detector, pipeline.topics.normalized],
        ]
      : [[pipeline.groups.detector, pipeline.topics.raw]];
  groups.push([pipeline.groups.aggregator, pipeline.topics.ipInsights]);
  await waitUntil(
    async () => {
      const lags = await Promise.all(groups.map(([group, topic]) => admin.lag(group, topic)));
      return lags.every((lag) => lag === 0);
    },
    600_000,
    `the ${layout} layout to consume the raw topic`,
  );
  const finished = performance.now();
  const after = cpuSnapshot(pipeline);
  const seconds = (finished - joined) / 1000;
  const cpuSeconds = Object.fromEntries(
    (Object.keys(after) as Measured[]).map((name) => [
      name,
      Math.round((after[name] - before[name]) * 100) / 100,
    ]),
  ) as Record<Measured, number>;
  const insights = await admin.topicSize(pipeline.topics.ipInsights);
  // all kinds of checkpoint (batch, idle, recovery)
  const checkpoints = await pipeline.detectorMetricSum('checkpoint_duration_seconds_count');
  log(
    `${layout}: detector ran ${checkpoints} checkpoints, ${Math.round(messages / checkpoints)} events each`,
  );
  log(
    `${layout}: ${Math.round(messages / seconds)} messages/s (${seconds.toFixed(1)} s, ${first} start ` +
      `${((joined - started) / 1000).toFixed(1)} s before), CPU s ${JSON.stringify(cpuSeconds)}, ${insights} insights`,
  );
  await pipeline.stop();
  return {
    seconds: Math.round(seconds * 100) / 100,
    messagesPerSecond: Math.round(messages / seconds),
    cpuSeconds,
    cpuMsPerThousand: Object.fromEntries(
      (Object.keys(cpuSeconds) as Measured[]).map((name) => [
        name,
        Math.round(((cpuSeconds[name] * 1000) / messages) * 1000 * 10) / 10,
      ]),
    ) as Record<Measured, number>,
    insights,
  };
}

/**
 * Fills a raw topic with the trail, times the bare consumer over it, then both layouts over the
 * same topic; Redis memory is measured on the state the default layout left.
 */
async function throughputPhase(
  context: BenchContext,
  trail: string,
): Promise<Pick<PipelineBenchResult, 'throughput' | 'memory'>> {
  const { redis, log } = context;
  const pipeline = context.newPipeline({ DETECTOR_IDLE_ADVANCE: 'false' });
  const fused = context.newPipeline(
    { DETECTOR_IDLE_ADVANCE: 'false', DETECTOR_INPUT: 'raw' },
    pipeline.topics.raw,
  );
  try {
    await pipeline.createTopics();
    const producer = createProducer(context.brokers, `bench-${pipeline.id}-replay`);
    await producer.connect();
    let replayed;
    try {
      replayed = await replayTrailPaths(
        {
          paths: [trail],
          brokers: parseBrokerList(context.brokers),
          topic: pipeline.topics.raw,
          rate: null,
          clientId: 'bench',
          maxBuffered: 100_000,
          quiet: true,
        },
        producer,
      );
    } finally {
      await producer.disconnect();
    }
    const messages = replayed.valid + replayed.invalid;
    log(
      `raw topic filled: ${messages} messages (${replayed.valid} valid) in ${replayed.seconds.toFixed(1)} s`,
    );

    const bareRuns: BareRun[] = [];
    for (let run = 0; run < BARE_RUNS; run += 1) {
      const kafkaBeforeBare = cpuSecondsOf(stackPid('kafka'));
      const bareRun = await bareConsumer(context.brokers, pipeline.topics.raw, messages);
      const kafkaBare = cpuSecondsOf(stackPid('kafka')) - kafkaBeforeBare;
      log(
        `bare kafkajs consumer: ${bareRun.messagesPerSecond} messages/s (${bareRun.seconds.toFixed(1)} s), ` +
          `CPU s: consumer ${bareRun.cpuSeconds.toFixed(2)}, Kafka ${kafkaBare.toFixed(2)}`,
      );
      bareRuns.push(bareRun);
    }
    const bare = {
      ...medianBy(bareRuns, (run) => run.messagesPerSecond),
      runs: bareRuns.map((run) => run.messagesPerSecond),
    };
    const ingestReplicas = context.options.ingestReplicas ?? DEFAULT_INGEST_REPLICAS;
    const services = await runLayout(context, pipeline, 'services', messages, ingestReplicas);
    const memory = await measureMemory(redis, pipeline.prefix);
    log(
      `memory: ${memory.bytesPerUsualIp} B/usual IP (${memory.usualIps}), ${memory.bytesPerOpenWindow} B/window (${memory.openWindows})`,
    );
    const replicas = context.options.fusedReplicas ?? DEFAULT_FUSED_REPLICAS;
    const folded = await runLayout(context, fused, 'fused', messages, replicas);
    const ratioOf = (run: LayoutRun) =>
      Math.round((run.messagesPerSecond / bare.messagesPerSecond) * 100) / 100;
    return {
      throughput: {
        trail: trail.split('/').pop() ?? trail,
        messages,
        events: replayed.valid,
        bareConsumer: bare,
        pipeline: { ...services, replicas: ingestReplicas },
        ratio: ratioOf(services),
        fused: { ...folded, ratio: ratioOf(folded), replicas },
      },
      memory,
    };
  } finally {
    await fused.cleanup(redis);
    await pipeline.cleanup(redis);
  }
}

const USER_AGENTS = [
  'aliyun-cli/3.0.200',
  'AlibabaCloud (linux; x64) Terraform/1.6',
  'console.aliyun.com',
];
const EVENT_NAMES = [
  'DescribeInstances',
  'DescribeMetricList',
  'GetObject',
  'ListUsers',
  'DescribeRegions',
];

/** An ActionTrail record (~700 bytes, like the generator's). */
function actionTrailRecord(accountId: string, ip: string, time: number, n: number): string {
  const eventId = randomUUID();
  return JSON.stringify({
    eventId,
    eventVersion: '1',
    sourceIpAddress: ip,
    userAgent: USER_AGENTS[n % USER_AGENTS.length],
    eventSource: `ecs.${REGION}.aliyuncs.com`,
    eventType: 'ApiCall',
    serviceName: 'Ecs',
    userIdentity: {
      type: 'ram-user',
      principalId: `2${accountId.slice(-8)}${n % 7}`,
      accountId,
      accessKeyId: 'LTAI5tBenchmarkKeyId00000',
      userName: `user-${n % 7}`,
    },
    eventName: EVENT_NAMES[n % EVENT_NAMES.length],
    eventRW: 'Read',
    acsRegion: REGION,
    isGlobal: false,
    eventCategory: 'Management',
    requestId: eventId,
    eventTime: new Date(time).toISOString(),
    requestParameters: { RegionId: REGION, PageSize: 50, PageNumber: 1 },
    apiVersion: '2014-05-26',
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) {
    return Number.NaN;
  }
  return (
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN
  );
}

/**
 * Phase 2: a steady stream of real-time events (usual IPs, plus 1 % from a roaming pool) with a
 * probe from a never-seen IP every 100 ms; latency = probe produced → its provisional insight in
 * Redis (detector preview hash, or the account's windows hash, whichever shows it first).
 */
async function latencyPhase(context: BenchContext): Promise<LatencyResult> {
  const { options, redis, log } = context;
  const layout = options.latencyLayout ?? 'services';
  const rate = options.rate ?? 10_000;
  const seconds = options.seconds ?? LATENESS_MS / 1000 + 60;
  const accounts = Array.from({ length: 100 }, (_, index) =>
    String(5_100_000_000_000_000 + index * 7919),
  );
  const usualPerAccount = 20;
  const usualIp = (account: number, index: number) => `100.64.${account}.${index + 1}`;
  const pipeline = context.newPipeline({
    DETECTOR_IDLE_ADVANCE: 'true',
    ...(layout === 'fused' ? { DETECTOR_INPUT: 'raw' } : {}),
  });
  const admin = pipeline.admin;
  const producer: PlainProducer = createProducer(context.brokers, `bench-${pipeline.id}-load`);
  const services = SERVICES.filter((service) => layout === 'services' || service !== 'ingest');
  try {
    await pipeline.createTopics();
    await producer.connect();
    for (const service of services) {
      await pipeline.start(service);
    }
    // Warm-up: every usual IP on three distinct days before now, so it is usual when the load starts.
    const now = Date.now();
    const warmup: OutboundMessage[] = [];
    for (const day of [3, 2, 1]) {
      accounts.forEach((accountId, a) => {
        for (let i = 0; i < usualPerAccount; i += 1) {
          warmup.push({
            key: accountId,
            value: actionTrailRecord(
              accountId,
              usualIp(a, i),
              now - day * 86_400_000 + a * 1000 + i,
              i,
            ),
          });
        }
      });
    }
    accounts.forEach((accountId, a) => {
      warmup.push({ key: accountId, value: actionTrailRecord(accountId, usualIp(a, 0), now, 0) });
    });
    await producer.send(pipeline.topics.raw, warmup);
    await waitUntil(
      async () => {
        const counts = await Promise.all(
          accounts.map((accountId) => redis.hlen(`${pipeline.prefix}{acct:${accountId}}:usual`)),
        );
        return counts.every((count) => count === usualPerAccount);
      },
      120_000,
      'warm-up usual IPs',
    );
    log(`latency warm-up done: ${accounts.length * usualPerAccount} usual IPs`);

    interface Probe {
      account: string;
      field: string;
      sentAt: number;
      seenAt?: number;
      seenIn?: 'preview' | 'windows';
    }
    const probes: Probe[] = [];
    const pending = new Set<Probe>();
    let polling = true;
    const poller = (async () => {
      while (polling || pending.size > 0) {
        const batch = [...pending];
        if (batch.length > 0) {
          const multi = redis.pipeline();
          for (const probe of batch) {
            multi.hexists(`${pipeline.prefix}{acct:${probe.account}}:preview`, probe.field);
            multi.hexists(`${pipeline.prefix}{acct:${probe.account}}:windows`, probe.field);
          }
          const replies = (await multi.exec()) ?? [];
          const at = performance.now();
          batch.forEach((probe, index) => {
            const inPreview = replies[2 * index]?.[1] === 1;
            const inWindows = replies[2 * index + 1]?.[1] === 1;
            if (inPreview || inWindows) {
              probe.seenAt = at;
              probe.seenIn = inPreview ? 'preview' : 'windows';
              pending.delete(probe);
            }
          });
        }
        if (!polling && batch.length > 0 && performance.now() - (batch[0]?.sentAt ?? 0) > 30_000) {
          break;
        }
        await new Promise((resolveWait) => setTimeout(resolveWait, 10));
      }
    })();
    const maxLag = { ingest: 0, detector: 0 };
    // one sample at a time, awaited before the topics are deleted (a request in flight on a
    // deleted topic would make kafkajs retry and reconnect after the admin's disconnect)
    let sampling: Promise<void> = Promise.resolve();
    const lagSampler = setInterval(() => {
      sampling = sampling.then(async () => {
        const [ingest, detector] = await Promise.all(
          layout === 'services'
            ? [
                admin.lag(pipeline.groups.ingest, pipeline.topics.raw),
                admin.lag(pipeline.groups.detector, pipeline.topics.normalized),
              ]
            : [Promise.resolve(0), admin.lag(pipeline.groups.detector, pipeline.topics.raw)],
        ).catch(() => [0, 0]);
        maxLag.ingest = Math.max(maxLag.ingest, ingest);
        maxLag.detector = Math.max(maxLag.detector, detector);
      });
    }, 1_000);

    const start = performance.now();
    const end = start + seconds * 1000;
    let sent = 0;
    let probeCount = 0;
    let n = 0;
    while (performance.now() < end) {
      const elapsed = performance.now() - start;
      const due = Math.floor((elapsed / 1000) * rate) - sent;
      const probesDue = Math.floor(elapsed / 100) + 1 - probeCount;
      const batch: OutboundMessage[] = [];
      const batchProbes: Probe[] = [];
      const time = Date.now();
      for (let i = 0; i < due; i += 1) {
        n += 1;
        const a = n % accounts.length;
        const ip =
          n % 100 === 0
            ? `100.127.${n % 250}.${(n >> 8) % 250}`
            : usualIp(a, (n >> 3) % usualPerAccount);
        const account = accounts[a];
        if (account === undefined) {
          throw new Error('no accounts to send events for');
        }
        batch.push({ key: account, value: actionTrailRecord(account, ip, time, n) });
      }
      for (let i = 0; i < probesDue; i += 1) {
        probeCount += 1;
        const a = probeCount % accounts.length;
        const ip = `198.18.${(probeCount >> 8) & 255}.${probeCount & 255}`;
        const account = accounts[a];
        if (account === undefined) {
          throw new Error('no accounts to send probes for');
        }
        batch.push({
          key: account,
          value: actionTrailRecord(account, ip, time, probeCount),
        });
        batchProbes.push({ account, field: `${REGION}\u0000${ip}`, sentAt: 0 });
      }
      if (batch.length > 0) {
        const sentAt = performance.now();
        for (const probe of batchProbes) {
          probe.sentAt = sentAt;
          probes.push(probe);
          pending.add(probe);
        }
        await producer.send(pipeline.topics.raw, batch);
        sent += batch.length - batchProbes.length;
      }
      await new Promise((resolveWait) => setTimeout(resolveWait, 20));
    }
    const achievedRate = Math.round((sent + probeCount) / ((performance.now() - start) / 1000));
    const rssMb = Object.fromEntries(
      SERVICES.map((service) => [service, rssMbOf(pipeline.run(service)?.pid)]),
    ) as Record<Service, number>;
    polling = false;
    await poller;
    clearInterval(lagSampler);
    await sampling;
    // the first 2 s are the ramp-up of the producer and the consumers' first fetches
    const measured = probes.filter((probe) => probe.sentAt - start >= 2_000);
    const latencies = measured
      .filter((probe) => probe.seenAt !== undefined)
      .map((probe) => (probe.seenAt as number) - probe.sentAt)
      .sort((a, b) => a - b);
    const result = {
      layout,
      targetRate: rate,
      achievedRate,
      seconds,
      probes: measured.length,
      visible: latencies.length,
      p50Ms: Math.round(percentile(latencies, 50)),
      p99Ms: Math.round(percentile(latencies, 99)),
      maxMs: Math.round(latencies[latencies.length - 1] ?? Number.NaN),
      firstSeenIn: {
        preview: measured.filter((probe) => probe.seenIn === 'preview').length,
        windows: measured.filter((probe) => probe.seenIn === 'windows').length,
      },
      maxLag,
      buffer: await measureBuffer(redis, pipeline.prefix, pipeline.run('detector')),
      rssMb,
    };
    log(`latency: ${JSON.stringify(result)}`);
    return result;
  } finally {
    await producer.disconnect().catch(() => undefined);
    await pipeline.cleanup(redis);
  }
}

interface BenchContext {
  options: PipelineBenchOptions;
  brokers: string;
  redis: Redis;
  log: (line: string) => void;
  newPipeline(detectorEnv: Record<string, string>, sharedRaw?: string): BenchPipeline;
}

function formatNumber(value: number): string {
  return Number.isFinite(value) ? value.toLocaleString('en-US') : 'n/a';
}

/** The docs/benchmarks.md section between the pipeline markers. */
export function renderPipelineBench(result: PipelineBenchResult): string {
  const { machine, settings, throughput: t, memory: m, latency: l } = result;
  const cpu = t.pipeline.cpuMsPerThousand;
  const fused = t.fused.cpuMsPerThousand;
  return [
    BEGIN,
    `Measured ${result.date} on ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, Node ` +
      `${machine.node}; Kafka ${machine.kafka} and Redis ${machine.redis} of \`deploy/local/stack.sh\` on the same ` +
      `machine; model \`${settings.model}\`, ${settings.partitions} partitions, lateness ` +
      `${settings.latenessMs / 60_000} min; NODE_OPTIONS of ingest and the detector \`${settings.serviceNodeOptions}\`, ` +
      `of the bench (bare consumer) \`${settings.benchNodeOptions}\`. Raw results: \`bench-results/pipeline-${result.date}.json\`.`,
    '',
    '| measure | value | target |',
    '|---|---|---|',
    `| raw topic (\`${t.trail}\`) | ${formatNumber(t.messages)} messages, ${formatNumber(t.events)} valid events | |`,
    `| bare kafkajs consumer, JSON.parse only (median of ${t.bareConsumer.runs.length} runs: ${t.bareConsumer.runs.map(formatNumber).join(', ')}) | ${formatNumber(t.bareConsumer.messagesPerSecond)} events/s | |`,
    `| ingest (${t.pipeline.replicas} ${t.pipeline.replicas === 1 ? 'process' : 'processes'}) → detector → aggregator, end to end | ${formatNumber(t.pipeline.messagesPerSecond)} events/s (${t.pipeline.seconds} s) | |`,
    `| ratio | ${t.ratio.toFixed(2)} | ≥ 0.50 |`,
    `| CPU ms per 1,000 events: ingest / detector / aggregator / Kafka / Redis | ${cpu.ingest} / ${cpu.detector} / ${cpu.aggregator} / ${cpu.kafka} / ${cpu.redis} | |`,
    `| ingest folded into the detector (\`DETECTOR_INPUT=raw\`, ${t.fused.replicas} detector processes) → aggregator, end to end | ${formatNumber(t.fused.messagesPerSecond)} events/s (${t.fused.seconds} s) | |`,
    `| ratio, folded | ${t.fused.ratio.toFixed(2)} | ≥ 0.50 |`,
    `| CPU ms per 1,000 events, folded: detector / aggregator / Kafka / Redis | ${fused.detector} / ${fused.aggregator} / ${fused.kafka} / ${fused.redis} | |`,
    `| Redis bytes per usual IP (${formatNumber(m.usualIps)} in ${m.accounts} accounts) | ${m.bytesPerUsualIp} | ≤ 150 |`,
    `| Redis bytes per open window (${formatNumber(m.openWindows)}) | ${m.bytesPerOpenWindow} | ≤ 400 |`,
    `| Redis bytes per de-duplication id (${formatNumber(m.dedupIds)} in the last hour of the accounts) | ${m.bytesPerDedupId} | |`,
    ...(l === null
      ? ['| latency phase | not run (`--throughput-only`) | |']
      : [
          `| steady load achieved (target ${formatNumber(l.targetRate)} events/s, ${l.seconds} s) | ${formatNumber(l.achievedRate)} events/s; max lag ingest ${formatNumber(l.maxLag.ingest)}, detector ${formatNumber(l.maxLag.detector)} | |`,
          `| produced → provisional insight in Redis${l.layout === 'fused' ? ' (folded layout)' : ''}, p50 / p99 / max (${l.visible} of ${l.probes} probes seen) | ${l.p50Ms} / ${l.p99Ms} / ${l.maxMs} ms | p99 ≤ 2,000 ms |`,
          `| detector reorder buffer after ${l.seconds} s of load: events held; entries spilled to Redis | ${formatNumber(l.buffer.events)} events; ${formatNumber(l.buffer.messages)} entries, ${formatNumber(Math.round(l.buffer.bytes / 2 ** 20))} MiB in Redis | |`,
          `| RSS at the end of the load: ingest / detector / aggregator | ${l.rssMb.ingest} / ${l.rssMb.detector} / ${l.rssMb.aggregator} MiB | |`,
        ]),
    END,
  ].join('\n');
}

/**
 * Pipeline benchmark (issue #4): end-to-end events/s through ingest → detector → aggregator vs a
 * bare kafkajs consumer of the same topic in the same run, Redis bytes per usual IP and open
 * window (MEMORY USAGE), and produce → provisional-insight latency at a steady rate. Bundles and
 * runs ingest, detector and aggregator as child processes against the local stack (or the given
 * Kafka and Redis); writes bench-results/pipeline-<date>.json and the docs/benchmarks.md section.
 */
export async function benchPipeline(
  options: PipelineBenchOptions = {},
): Promise<PipelineBenchResult> {
  const root = resolve(options.root ?? process.cwd());
  const log = options.log ?? ((line: string) => process.stderr.write(`[bench:pipeline] ${line}\n`));
  let brokers = options.brokers;
  let redisUrl = options.redisUrl;
  if (brokers === undefined || redisUrl === undefined) {
    const stack = stackSettings(root);
    brokers ??= stack['KAFKA_BROKERS'];
    redisUrl ??= stack['REDIS_URL'];
  }
  if (brokers === undefined || redisUrl === undefined) {
    throw new Error('no KAFKA_BROKERS / REDIS_URL: is deploy/local/stack.sh working?');
  }
  const partitions = options.partitions ?? 6;
  const model = options.model ?? 'none';
  if (options.bundle ?? true) {
    execFileSync(process.execPath, [join(root, 'deploy/build/bundle.mjs'), ...SERVICES], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const trail = ensureTrail(
    root,
    options.dataDir ?? join(root, 'bench-results/data'),
    options.days ?? 14,
    options.eventsPerDay ?? 60_000,
    options.accounts ?? 20,
  );
  const redis = new Redis(redisUrl);
  const detectorEnv = {
    DETECTOR_MODEL: model,
    DETECTOR_ALLOWED_LATENESS_MS: String(LATENESS_MS),
  };
  const processOptions: ProcessOptions = {
    ...(options.profileDir === undefined ? {} : { profile: resolve(options.profileDir) }),
    ...(options.logDir === undefined ? {} : { logs: resolve(options.logDir) }),
    ...(options.nodeArgs === undefined ? {} : { nodeArgs: options.nodeArgs }),
  };
  if (processOptions.logs !== undefined) {
    mkdirSync(processOptions.logs, { recursive: true });
  }
  const context: BenchContext = {
    options,
    brokers,
    redis,
    log,
    newPipeline: (extra, sharedRaw) =>
      new BenchPipeline(
        root,
        brokers,
        redisUrl,
        partitions,
        { ...detectorEnv, ...extra },
        processOptions,
        options.serviceEnv ?? {},
        sharedRaw,
      ),
  };
  try {
    const info = await redis.info('server');
    const { throughput, memory } = await throughputPhase(context, trail);
    const latency = options.throughputOnly === true ? null : await latencyPhase(context);
    const result: PipelineBenchResult = {
      date: new Date().toISOString().slice(0, 10),
      machine: {
        cpus: cpus().length,
        cpu: cpus()[0]?.model ?? 'unknown CPU',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        kafka: kafkaVersionOf(root),
        redis: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown',
      },
      settings: {
        partitions,
        model,
        latenessMs: LATENESS_MS,
        serviceNodeOptions: options.serviceEnv?.['NODE_OPTIONS'] ?? SERVICE_NODE_OPTIONS,
        benchNodeOptions: process.execArgv.join(' ') || 'none',
      },
      throughput,
      memory,
      latency,
    };
    if (latency !== null && (options.write ?? true)) {
      writePipelineBench(root, result);
    }
    return result;
  } finally {
    redis.disconnect();
  }
}

/** Writes bench-results/pipeline-<date>.json and the docs/benchmarks.md section (if its markers exist). */
export function writePipelineBench(root: string, result: PipelineBenchResult): void {
  mkdirSync(join(root, 'bench-results'), { recursive: true });
  writeFileSync(
    join(root, 'bench-results', `pipeline-${result.date}.json`),
    `${JSON.stringify(result, null, 2)}\n`,
  );
  const docPath = join(root, 'docs/benchmarks.md');
  if (existsSync(docPath)) {
    const doc = readFileSync(docPath, 'utf8');
    const begin = doc.indexOf(BEGIN);
    const end = doc.indexOf(END);
    if (begin !== -1 && end > begin) {
      writeFileSync(
        docPath,
        doc.slice(0, begin) + renderPipelineBench(result) + doc.slice(end + END.length),
      );
    }
  }
}
