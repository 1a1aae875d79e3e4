import { mockEvent } from './network-info.mock';
import { addressInCidr } from './cidr-address';
import { createDefaultModel } from './default-model';
import { EXAMPLE_NETWORKS } from './example-networks.constants';
import { sharedIpData } from './ip-data.repository';

declare const gc: (() => void) | undefined;

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function settle(): NodeJS.MemoryUsage {
  if (typeof gc === 'function') {
    gc();
  }
  return process.memoryUsage();
}

function pool(kinds: readonly string[], count: number, seed: number): string[] {
  const blocks = EXAMPLE_NETWORKS.filter((network) => kinds.includes(network.kind)).flatMap(
    (network) => network.cidrs,
  );
  return Array.from({ length: count }, (_, index) => {
    const block = blocks[(index * 7 + seed) % blocks.length];
    if (block === undefined) {
      throw new Error(`no example network of kinds ${kinds.join(', ')}`);
    }
    return addressInCidr(block, index * 104_729 + seed);
  });
}

const before = settle();
const started = performance.now();
const stats = sharedIpData().load();
const loadMs = performance.now() - started;
const after = settle();
process.stdout.write(
  `load: ${loadMs.toFixed(0)} ms, ${stats.ipv4Ranges} IPv4 + ${stats.ipv6Ranges} IPv6 ranges, ` +
    `typed arrays ${megabytes(stats.rangeBytes)}, heap +${megabytes(after.heapUsed - before.heapUsed)}, ` +
    `external +${megabytes(after.external - before.external)}, rss +${megabytes(after.rss - before.rss)}\n`,
);

for (const usualCount of [10, 100, 500, 1000]) {
  const model = createDefaultModel();
  const usualIps = pool(['home-isp', 'mobile-carrier', 'cloud-ci'], usualCount, 1).map((ip) => ({
    ip,
    lastSeen: Date.UTC(2026, 2, 9, 10),
  }));
  const candidates = pool(['home-isp', 'hosting-vps', 'anonymizer'], 2000, 3);
  const time = Date.UTC(2026, 2, 10, 9, 30);
  const evaluate = (ip: string) =>
    model.evaluate({
      accountId: '1234',
      region: 'cn-hangzhou',
      ip,
      time,
      event: mockEvent({ sourceIp: ip, time }),
      usualIps,
    });
  const coldStart = performance.now();
  const [first] = candidates;
  if (first === undefined) {
    throw new Error('no candidates');
  }
  evaluate(first);
  const coldMs = performance.now() - coldStart;
  const rounds: number[] = [];
  for (let round = 0; round < 5; round += 1) {
    const batch = candidates.slice(round * 400, round * 400 + 400);
    const roundStart = performance.now();
    for (const ip of batch) {
      evaluate(ip);
    }
    rounds.push((performance.now() - roundStart) / batch.length);
  }
  const best = Math.min(...rounds) * 1000;
  const median = ([...rounds].sort((a, b) => a - b)[2] ?? Number.NaN) * 1000;
  process.stdout.write(
    `evaluate with ${usualCount} usual IPs: first ${coldMs.toFixed(2)} ms, ` +
      `then ${best.toFixed(0)} µs (best of 5 rounds), ${median.toFixed(0)} µs (median)\n`,
  );
}
