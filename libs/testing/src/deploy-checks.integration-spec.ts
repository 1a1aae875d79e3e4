/**
 * Deployment artefacts checked with the real tools (needs: the Go toolchain and the Go module proxy
 * to build helm and kubeconform once, pip + PyPI for the Kubernetes JSON schemas, python3 with
 * PyYAML to read YAML, and promtool, installed here through `deploy/local/stack.sh up prometheus`).
 * No cluster and no Prometheus server are needed.
 *
 * Proves that:
 * - deploy/helm/install-tools.sh installs helm, kubeconform and the schemas, and is idempotent;
 * - deploy/helm/check.sh passes: `helm lint --strict`, `helm template` with the default values and
 *   with deploy/helm/ci-values.yaml ("all features on"), kubeconform -strict on both, and every
 *   invalid combination templates/checks.yaml must reject;
 * - the rendered manifests hold together where no schema looks (ServiceMonitor, selectors, ports,
 *   probes, security context, secrets only by reference);
 * - `services.detector.input: raw` (ingest folded into the detector) renders nothing of ingest and
 *   gives the detector DETECTOR_INPUT=raw and ingest's input topic, and passes kubeconform;
 * - the chart and the services do not drift: every variable the chart gives a service is one that
 *   service's config/env.schema.ts reads, and every env key of values.yaml is read by some service;
 * - deploy/prometheus: `promtool check rules` and `promtool test rules` pass; every metric the rules,
 *   their tests and deploy/grafana/trail-insight.json use is declared by a lib or service, every
 *   alert a metric's help names exists, and every dashboard query is valid PromQL.
 * Services whose schema or metrics are not written yet are reported on stderr and skipped.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

jest.setTimeout(20 * 60 * 1000);

const ROOT = resolve(__dirname, '../../..');
const SERVICES = ['ingest', 'detector', 'aggregator', 'sink-sls', 'sink-oss', 'console'] as const;
type ServiceName = (typeof SERVICES)[number];

interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

function run(command: string, args: string[]): Promise<RunResult> {
  const started = Date.now();
  return new Promise((resolveRun) => {
    execFile(
      command,
      args,
      { cwd: ROOT, maxBuffer: 64 * 1024 * 1024, timeout: 15 * 60 * 1000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolveRun({ code, stdout, stderr, ms: Date.now() - started });
      },
    );
  });
}

function expectSuccess(result: RunResult, what: string): void {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
}

/** `value`, or a thrown Error naming `what` when it is missing (an index past the end). */
function present<T>(value: T | undefined, what: string): T {
  if (value === undefined) {
    throw new Error(`${what} is missing`);
  }
  return value;
}

/** KEY=VALUE lines printed on stdout by install-tools.sh and stack.sh. */
function settings(stdout: string): Record<string, string> {
  const found: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match) {
      found[present(match[1], 'key')] = present(match[2], 'value');
    }
  }
  return found;
}

/** Every YAML document of a file, through PyYAML (the repo declares no YAML parser for Node). */
async function yamlDocuments(file: string): Promise<unknown[]> {
  const result = await run('python3', [
    '-c',
    'import json, sys, yaml\n' +
      'docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]\n' +
      'json.dump(docs, sys.stdout)',
    file,
  ]);
  expectSuccess(result, `python3 yaml.safe_load_all ${file}`);
  return JSON.parse(result.stdout) as unknown[];
}

type Json = Record<string, unknown>;

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: Json;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

interface Container {
  name: string;
  image: string;
  command: string[];
  env: EnvVar[];
  ports: Array<{ name: string; containerPort: number }>;
  livenessProbe: { httpGet: { path: string; port: string } };
  readinessProbe: { httpGet: { path: string; port: string } };
  startupProbe?: { httpGet: { path: string; port: string } };
  securityContext: Json;
}

interface DeploymentSpec {
  replicas: number;
  selector: { matchLabels: Record<string, string> };
  template: {
    metadata: { labels: Record<string, string> };
    spec: {
      containers: Container[];
      terminationGracePeriodSeconds: number;
      securityContext: Json;
      automountServiceAccountToken: boolean;
    };
  };
}

function deployments(objects: K8sObject[]): Map<string, DeploymentSpec> {
  const found = new Map<string, DeploymentSpec>();
  for (const object of objects) {
    if (object.kind === 'Deployment') {
      const spec = object.spec as unknown as DeploymentSpec;
      found.set(
        present(spec.template.metadata.labels['app.kubernetes.io/component'], 'component label'),
        spec,
      );
    }
  }
  return found;
}

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}

// ------------------------------------------------------------------ env schemas of the services

/** Upper-snake keys of an object literal body (`KAFKA_BROKERS: z...`). */
function variableKeys(source: string): Set<string> {
  return new Set(
    [...source.matchAll(/^\s*([A-Z][A-Z0-9_]+)\s*:/gm)].map((match) =>
      present(match[1], 'capture'),
    ),
  );
}

function listFiles(dir: string, accept: (path: string) => boolean): string[] {
  if (!existsSync(dir)) {
    return [];
  }
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules' && entry.name !== 'dist') {
        found.push(...listFiles(path, accept));
      }
    } else if (accept(path)) {
      found.push(path);
    }
  }
  return found;
}

const LIB_SOURCES = listFiles(
  join(ROOT, 'libs'),
  (path) => path.endsWith('.ts') && !path.includes('.spec.'),
);

/** Keys of an exported shape (`export const kafkaEnvShape = { ... };`) defined in some lib. */
function sharedShape(name: string): Set<string> {
  for (const file of LIB_SOURCES) {
    const text = readFileSync(file, 'utf8');
    const match = new RegExp(`export const ${name}\\s*=\\s*\\{([\\s\\S]*?)\\n\\};`).exec(text);
    if (match) {
      return variableKeys(present(match[1], 'capture'));
    }
  }
  throw new Error(`${name} is spread into an env schema but no lib exports it`);
}

/** The variables each service reads, from services/<svc>/src/config/env.schema.ts (if written). */
function serviceVariables(): Map<ServiceName, Set<string>> {
  const found = new Map<ServiceName, Set<string>>();
  for (const service of SERVICES) {
    const file = join(ROOT, 'services', service, 'src/config/env.schema.ts');
    if (!existsSync(file)) {
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const names = variableKeys(text);
    for (const spread of text.matchAll(/\.\.\.(\w+EnvShape)\b/g)) {
      for (const name of sharedShape(present(spread[1], 'capture'))) {
        names.add(name);
      }
    }
    found.set(service, names);
  }
  return found;
}

// ------------------------------------------------------------------ metrics declared in code

function metricsPrefixOf(service: string): string {
  return `${service.replace(/[^a-z0-9]+/g, '_')}_`;
}

interface DeclaredMetrics {
  /** Full names, e.g. `sink_oss_s3_requests_total`. */
  names: Set<string>;
  /** Suffixes declared under a per-service prefix by a lib (libs/kafka: `kafka_consumer_lag`). */
  libSuffixes: Set<string>;
  /** Services with at least one metric declared in their own sources. */
  servicesWithMetrics: Set<string>;
  /** `Alert: X` / `alert X` names in help texts and docblocks. */
  alerts: Set<string>;
}

function declaredMetrics(): DeclaredMetrics {
  const declared: DeclaredMetrics = {
    names: new Set(),
    libSuffixes: new Set(),
    servicesWithMetrics: new Set(),
    alerts: new Set(),
  };
  // `*metrics.ts`, and any other source constructing a prom-client metric (libs/kafka
  // raw-records.ts: the records counters of ingest and of the detector with DETECTOR_INPUT=raw).
  const isMetricsFile = (path: string): boolean =>
    path.endsWith('.ts') &&
    !path.includes('.spec.') &&
    !path.endsWith('metrics-prefix.util.ts') &&
    (/metrics\.ts$/.test(path) ||
      /\bnew (Counter|Gauge|Histogram|Summary)\b/.test(readFileSync(path, 'utf8')));
  const files = [
    ...listFiles(join(ROOT, 'libs'), isMetricsFile),
    ...listFiles(join(ROOT, 'services'), isMetricsFile),
  ];
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const service = /^services\/([^/]+)\//.exec(relative(ROOT, file))?.[1];
    for (const match of text.matchAll(/name:\s*`\$\{[^}]+\}([a-z0-9_]+)`/g)) {
      if (service === undefined) {
        declared.libSuffixes.add(present(match[1], 'capture'));
      } else {
        declared.names.add(metricsPrefixOf(service) + present(match[1], 'capture'));
        declared.servicesWithMetrics.add(service);
      }
    }
    for (const match of text.matchAll(/name:\s*'([a-z][a-z0-9_]+)'/g)) {
      declared.names.add(present(match[1], 'capture'));
    }
    for (const line of text.split('\n').filter((text) => /[Aa]lerts?\b/.test(text))) {
      const tail = line.slice(line.search(/[Aa]lerts?\b/));
      for (const match of tail.matchAll(/`?\b([A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+)\b`?/g)) {
        declared.alerts.add(present(match[1], 'capture'));
      }
    }
  }
  return declared;
}

/** Why `name` (a series or metric name; `.+_suffix` for a suffix selector) is not declared, or null. */
function undeclared(name: string, declared: DeclaredMetrics, skipped: Set<string>): string | null {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  const suffix = /^\.\+_(.+)$/.exec(base)?.[1];
  if (suffix !== undefined) {
    const known = [...declared.libSuffixes].some(
      (lib) => lib === suffix.replace(/_(bucket|sum|count)$/, ''),
    );
    return known ? null : `no lib declares a per-service metric *_${suffix}`;
  }
  if (base === 'up' || declared.names.has(base) || declared.names.has(name)) {
    return null;
  }
  for (const service of SERVICES) {
    const prefix = metricsPrefixOf(service);
    if (base.startsWith(prefix)) {
      if (declared.libSuffixes.has(base.slice(prefix.length))) {
        return null;
      }
      if (!declared.servicesWithMetrics.has(service)) {
        skipped.add(`${base} (${service} declares no metrics yet)`);
        return null;
      }
      return `${service} declares no metric ${base}`;
    }
  }
  return `${base} has no service prefix and no declaration`;
}

/** Metric names a PromQL expression selects (plain names and `__name__=~".+_suffix"`). */
function metricNamesOf(expr: string): string[] {
  const names = [...expr.matchAll(/__name__=~"(\.\+_[a-z0-9_]+)"/g)].map((match) =>
    present(match[1], 'capture'),
  );
  const bare = expr
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/"[^"]*"/g, ' ');
  for (const match of bare.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()/g)) {
    if (
      !['and', 'or', 'unless', 'bool', 'offset', 'group_left', 'group_right'].includes(
        present(match[1], 'capture'),
      )
    ) {
      names.push(present(match[1], 'capture'));
    }
  }
  return names;
}

// ------------------------------------------------------------------ the tests

describe('deploy checks: helm chart, alert rules, dashboard', () => {
  const out = mkdtempSync(join(tmpdir(), 'trail-insight-deploy-checks-'));
  const skipped = new Set<string>();
  let promtool = 'promtool';
  let installCold: RunResult;
  let check: RunResult;
  const rendered: { default: K8sObject[]; ci: K8sObject[]; raw: K8sObject[] } = {
    default: [],
    ci: [],
    raw: [],
  };
  let tools: Record<string, string> = {};
  let rawRender: RunResult;

  /** `helm template` of the chart as check.sh runs it, with extra arguments. */
  function helmTemplate(args: string[]): Promise<RunResult> {
    return run(present(tools.HELM, 'HELM'), [
      'template',
      'trail-insight',
      'helm/trail-insight',
      '--namespace',
      'trail-insight',
      '--kube-version',
      present(tools.KUBE_SCHEMA_VERSION, 'KUBE_SCHEMA_VERSION'),
      ...args,
    ]);
  }

  beforeAll(async () => {
    installCold = await run('bash', ['deploy/helm/install-tools.sh']);
    expectSuccess(installCold, 'deploy/helm/install-tools.sh');
    tools = settings(installCold.stdout);
    const stack = await run('bash', ['deploy/local/stack.sh', 'up', 'prometheus']);
    expectSuccess(stack, 'deploy/local/stack.sh up prometheus');
    promtool = settings(stack.stdout).PROMTOOL ?? promtool;
    check = await run('bash', ['deploy/helm/check.sh', '--out', out]);
    for (const variant of ['default', 'ci'] as const) {
      const file = join(out, `${variant}.yaml`);
      if (existsSync(file)) {
        rendered[variant] = (await yamlDocuments(file)) as K8sObject[];
      }
    }
    // "All features on" with the detector reading raw events itself (ingest folded in).
    rawRender = await helmTemplate([
      '-f',
      'deploy/helm/ci-values.yaml',
      '--set',
      'services.detector.input=raw',
    ]);
    if (rawRender.code === 0) {
      writeFileSync(join(out, 'raw.yaml'), rawRender.stdout);
      rendered.raw = (await yamlDocuments(join(out, 'raw.yaml'))) as K8sObject[];
    }
  });

  afterAll(() => {
    rmSync(out, { recursive: true, force: true });
    if (skipped.size > 0) {
      process.stderr.write(
        `deploy-checks: not yet checkable (written by other services later):\n  ${[...skipped].sort().join('\n  ')}\n`,
      );
    }
  });

  it('install-tools.sh installs helm, kubeconform and the schemas, and a second run only checks them', async () => {
    for (const key of ['HELM', 'KUBECONFORM', 'KUBE_SCHEMA_DIR']) {
      expect(existsSync(present(tools[key], key))).toBe(true);
    }
    expect(readdirSync(present(tools.KUBE_SCHEMA_DIR, 'KUBE_SCHEMA_DIR'))).toEqual(
      expect.arrayContaining([
        '_definitions.json',
        'deployment-apps-v1.json',
        'poddisruptionbudget-policy-v1.json',
      ]),
    );
    const helmVersion = await run(present(tools.HELM, 'HELM'), ['version', '--short']);
    expect(helmVersion.stdout).toMatch(/^v3\.\d+\.\d+/);

    const warm = await run('bash', ['deploy/helm/install-tools.sh']);
    expectSuccess(warm, 'deploy/helm/install-tools.sh (warm)');
    expect(settings(warm.stdout)).toEqual(tools);
    expect(warm.stderr).not.toMatch(/building|downloading/);
    expect(warm.stderr.match(/already in/g)).toHaveLength(3);
    process.stderr.write(
      `deploy-checks: install-tools first run ${installCold.ms} ms, warm ${warm.ms} ms\n`,
    );
  });

  it('check.sh passes: lint, template (default and all features on), kubeconform, checks.yaml rejections', () => {
    expectSuccess(check, 'deploy/helm/check.sh');
    const summary = /check\.sh: (\d+) passed, (\d+) failed/.exec(check.stdout);
    expect(summary?.[2]).toBe('0');
    expect(Number(summary?.[1])).toBeGreaterThanOrEqual(25);
    expect(check.stdout).toMatch(
      /kubeconform \(ci: \d+ resources\)\n\s+Summary: .* Invalid: 0, Errors: 0, Skipped: 1/,
    );
    process.stderr.write(`deploy-checks: check.sh ${check.ms} ms\n`);
  });

  it('rendered manifests: one pinned Deployment per service, probes, security, secrets by reference', () => {
    const ci = deployments(rendered.ci);
    expect([...ci.keys()].sort()).toEqual([...SERVICES].sort());
    expect([...deployments(rendered.default).keys()].sort()).toEqual([
      'aggregator',
      'console',
      'detector',
      'ingest',
    ]);
    for (const [service, spec] of ci) {
      const pod = spec.template.spec;
      const container = present(pod.containers[0], `${service} container`);
      expect(pod.containers).toHaveLength(1);
      expect(container.image).toMatch(
        /^ghcr\.io\/trail-insight\/trail-insight(:[\w.-]+)?@sha256:[0-9a-f]{64}$/,
      );
      expect(container.command).toEqual(['node', `services/${service}/dist/main.js`]);
      expect(container.livenessProbe.httpGet).toEqual({ path: '/health', port: 'http' });
      expect(container.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http' });
      expect(container.ports.map((port) => port.name)).toEqual(['http']);
      expect(container.env.find((env) => env.name === 'HTTP_PORT')?.value).toBe(
        String(present(container.ports[0], `${service} port`).containerPort),
      );
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
      expect(container.securityContext).toMatchObject({
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
      expect(matches(spec.selector.matchLabels, spec.template.metadata.labels)).toBe(true);
      for (const env of container.env.filter((env) =>
        /SECRET|PASSWORD|ACCESS_KEY|USERNAME/.test(env.name),
      )) {
        expect({ name: env.name, value: env.value }).toEqual({ name: env.name, value: undefined });
        expect(env.valueFrom?.secretKeyRef).toEqual({
          name: expect.any(String),
          key: expect.any(String),
        });
      }
    }
  });

  it('rendered manifests: Services, PodDisruptionBudget and ServiceMonitor select what they should', () => {
    const objects = rendered.ci;
    const pods = [...deployments(objects).values()].map((spec) => spec.template.metadata.labels);
    const services = objects.filter((object) => object.kind === 'Service');
    for (const service of services) {
      const selector = service.spec.selector as Record<string, string>;
      expect(pods.filter((labels) => matches(selector, labels))).toHaveLength(1);
      for (const port of service.spec.ports as Array<{ targetPort: string }>) {
        expect(port.targetPort).toBe('http');
      }
    }
    const console = services.find((service) => service.metadata.name.endsWith('-console'));
    expect(console?.spec.ports).toEqual([expect.objectContaining({ name: 'http', port: 8080 })]);

    const pdb = present(
      objects.filter((object) => object.kind === 'PodDisruptionBudget')[0],
      'PodDisruptionBudget',
    );
    const detectorPods = deployments(objects).get('detector')?.template.metadata.labels ?? {};
    expect(
      matches(
        (pdb.spec.selector as { matchLabels: Record<string, string> }).matchLabels,
        detectorPods,
      ),
    ).toBe(true);
    expect(pdb.spec.maxUnavailable).toBe(1);

    // kubeconform has no schema for this CRD, so it is checked here.
    const monitors = objects.filter((object) => object.kind === 'ServiceMonitor');
    expect(monitors).toHaveLength(1);
    const monitor = present(monitors[0], 'ServiceMonitor');
    expect(monitor.apiVersion).toBe('monitoring.coreos.com/v1');
    const spec = monitor.spec as {
      jobLabel: string;
      selector: { matchLabels: Record<string, string> };
      endpoints: Array<{ port: string; path: string; interval: string; scrapeTimeout: string }>;
      namespaceSelector: { matchNames: string[] };
    };
    const scraped = services.filter((service) =>
      matches(spec.selector.matchLabels, service.metadata.labels ?? {}),
    );
    expect(scraped.map((service) => service.metadata.labels?.[spec.jobLabel]).sort()).toEqual(
      [...SERVICES].sort(),
    );
    for (const service of scraped) {
      expect((service.spec.ports as Array<{ name: string }>).map((port) => port.name)).toContain(
        present(spec.endpoints[0], 'ServiceMonitor endpoint').port,
      );
    }
    expect(spec.endpoints).toEqual([
      {
        port: 'http-metrics',
        path: '/metrics',
        interval: expect.stringMatching(/^\d+[smh]$/),
        scrapeTimeout: expect.stringMatching(/^\d+[smh]$/),
      },
    ]);
    expect(spec.namespaceSelector.matchNames).toEqual(['trail-insight']);
  });

  it('services.detector.input raw: nothing of ingest, the detector reads the raw topic ingest would read', async () => {
    expectSuccess(rawRender, 'helm template (ci-values.yaml, services.detector.input=raw)');
    const objects = rendered.raw;
    expect(
      objects
        .filter((object) => object.metadata.labels?.['app.kubernetes.io/component'] === 'ingest')
        .map((object) => `${object.kind}/${object.metadata.name}`),
    ).toEqual([]);
    expect([...deployments(objects).keys()].sort()).toEqual(
      SERVICES.filter((service) => service !== 'ingest').sort(),
    );
    expect(objects.filter((object) => object.kind === 'ServiceMonitor')).toHaveLength(1);

    const envOf = (objects: K8sObject[], service: string): Record<string, string | undefined> => {
      const spec = present(deployments(objects).get(service), `${service} Deployment`);
      const container = present(spec.template.spec.containers[0], `${service} container`);
      return Object.fromEntries(container.env.map((env) => [env.name, env.value]));
    };
    const ingestTopic = present(envOf(rendered.ci, 'ingest').INGEST_INPUT_TOPIC, 'ci ingest topic');
    expect(envOf(objects, 'detector')).toMatchObject({
      DETECTOR_INPUT: 'raw',
      DETECTOR_RAW_INPUT_TOPIC: ingestTopic,
    });
    for (const variant of ['default', 'ci'] as const) {
      const env = envOf(rendered[variant], 'detector');
      expect({ variant, input: env.DETECTOR_INPUT, topic: env.DETECTOR_RAW_INPUT_TOPIC }).toEqual({
        variant,
        input: 'normalized',
        topic: undefined,
      });
    }
    // Default values (ingest's topic ""): both services' default, so no variable at all.
    const defaultRaw = await helmTemplate(['--set', 'services.detector.input=raw']);
    expectSuccess(defaultRaw, 'helm template (services.detector.input=raw)');
    expect(defaultRaw.stdout).toContain('- name: DETECTOR_INPUT\n              value: "raw"');
    expect(defaultRaw.stdout).not.toContain('DETECTOR_RAW_INPUT_TOPIC');
    expect(defaultRaw.stdout).not.toMatch(/app\.kubernetes\.io\/component: ingest/);

    const kubeconform = await run(present(tools.KUBECONFORM, 'KUBECONFORM'), [
      '-strict',
      '-ignore-missing-schemas',
      '-summary',
      '-kubernetes-version',
      present(tools.KUBE_SCHEMA_VERSION, 'KUBE_SCHEMA_VERSION'),
      '-schema-location',
      `${present(tools.KUBE_SCHEMA_DIR, 'KUBE_SCHEMA_DIR')}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
      join(out, 'raw.yaml'),
    ]);
    expectSuccess(kubeconform, 'kubeconform (raw)');
    expect(kubeconform.stdout).toMatch(/Invalid: 0, Errors: 0, Skipped: 1/);

    // The raw detector's input is the raw topic, not KAFKA_TOPIC_PARTITIONS: no replica warning.
    const replicas = [
      '--set',
      'services.detector.replicas=8',
      '--set',
      'checks.warningsAreErrors=true',
    ];
    expectSuccess(
      await helmTemplate([...replicas, '--set', 'services.detector.input=raw']),
      'helm template (raw detector, 8 replicas, warnings as errors)',
    );
    expect((await helmTemplate(replicas)).code).not.toBe(0);

    const rejected: Array<[string[], string]> = [
      [
        ['--set', 'services.detector.input=fused'],
        'services.detector.input "fused" is not an input',
      ],
      [
        ['--set', 'services.detector.env.DETECTOR_INPUT=raw'],
        'services.detector.env.DETECTOR_INPUT is set by the chart (from services.detector.input)',
      ],
      [
        ['--set', 'services.detector.env.DETECTOR_RAW_INPUT_TOPIC=raw-events'],
        'services.detector.env.DETECTOR_RAW_INPUT_TOPIC is set by the chart (from services.ingest.env.INGEST_INPUT_TOPIC',
      ],
    ];
    for (const [args, message] of rejected) {
      const result = await helmTemplate(args);
      expect({ args, code: result.code === 0 ? 0 : 1, stderr: result.stderr }).toEqual({
        args,
        code: 1,
        stderr: expect.stringContaining(message),
      });
    }
  });

  /** Variables read by Node itself rather than by a service's env.schema.ts. */
  const RUNTIME_VARIABLES = ['NODE_OPTIONS'];

  function withRuntimeVariables(
    schemas: Map<ServiceName, Set<string>>,
  ): Map<ServiceName, Set<string>> {
    return new Map(
      [...schemas].map(([service, names]) => [service, new Set([...names, ...RUNTIME_VARIABLES])]),
    );
  }

  it('every variable the chart gives a service is read by that service (env.schema.ts)', () => {
    const schemas = withRuntimeVariables(serviceVariables());
    const problems: string[] = [];
    for (const [variant, objects] of Object.entries(rendered)) {
      for (const [service, spec] of deployments(objects)) {
        const known = schemas.get(service as ServiceName);
        if (known === undefined) {
          skipped.add(`env of ${service} (services/${service}/src/config/env.schema.ts missing)`);
          continue;
        }
        for (const env of present(spec.template.spec.containers[0], `${service} container`).env) {
          if (!known.has(env.name)) {
            problems.push(
              `${variant}: ${service} gets ${env.name}, which its env.schema.ts does not read`,
            );
          }
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('every env key of values.yaml is a variable some service reads', async () => {
    const [values] = (await yamlDocuments(join(ROOT, 'helm/trail-insight/values.yaml'))) as Array<{
      env: Json;
      secretEnv: Json;
      kafka: { env: Json; secretEnv: Json };
      redis: { env: Json; secretEnv: Json };
      services: Record<string, { env?: Json; secretEnv?: Json }>;
    }>;
    if (values === undefined) {
      throw new Error('values.yaml is empty');
    }
    const schemas = withRuntimeVariables(serviceVariables());
    const everyKnown = new Set([...schemas.values()].flatMap((names) => [...names]));
    const blocks: Array<[string, Json, ServiceName | undefined]> = [
      ['env', values.env, undefined],
      ['kafka.env', values.kafka.env, undefined],
      ['redis.env', values.redis.env, undefined],
      ...Object.entries(values.services).map(([service, block]): [string, Json, ServiceName] => [
        `services.${service}.env`,
        block.env ?? {},
        service as ServiceName,
      ]),
    ];
    const problems: string[] = [];
    for (const [path, block, service] of blocks) {
      const known = service === undefined ? everyKnown : schemas.get(service);
      if (known === undefined) {
        skipped.add(`values.yaml ${path} (services/${service}/src/config/env.schema.ts missing)`);
        continue;
      }
      for (const name of Object.keys(block)) {
        if (!known.has(name)) {
          problems.push(`values.yaml ${path}.${name} is read by no ${service ?? 'service'}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('promtool: the rules load and their unit tests pass', async () => {
    const rules = join(ROOT, 'deploy/prometheus/trail-insight.rules.yml');
    const check = await run(promtool, ['check', 'rules', rules]);
    expectSuccess(check, 'promtool check rules');
    expect(check.stdout + check.stderr).toMatch(/SUCCESS: \d+ rules found/);

    const testDir = join(ROOT, 'deploy/prometheus/tests');
    const tests = readdirSync(testDir)
      .filter((name) => name.endsWith('.test.yml'))
      .map((name) => join(testDir, name));
    expect(tests.length).toBeGreaterThan(0);
    const result = await run(promtool, ['test', 'rules', ...tests]);
    expectSuccess(result, 'promtool test rules');
    expect((result.stdout + result.stderr).match(/SUCCESS/g)).toHaveLength(tests.length);
  });

  it('every alert a metric help names exists, and every alert is exercised by a promtool test', async () => {
    const [rules] = (await yamlDocuments(
      join(ROOT, 'deploy/prometheus/trail-insight.rules.yml'),
    )) as Array<{
      groups: Array<{ rules: Array<{ alert?: string; expr: string }> }>;
    }>;
    if (rules === undefined) {
      throw new Error('trail-insight.rules.yml is empty');
    }
    const alerts = new Set(
      rules.groups.flatMap((group) => group.rules.flatMap((rule) => rule.alert ?? [])),
    );
    const declared = declaredMetrics();
    expect([...declared.alerts].filter((alert) => !alerts.has(alert))).toEqual([]);

    const testDir = join(ROOT, 'deploy/prometheus/tests');
    const tested = new Set<string>();
    for (const name of readdirSync(testDir).filter((file) => file.endsWith('.test.yml'))) {
      const text = readFileSync(join(testDir, name), 'utf8');
      for (const match of text.matchAll(/alertname:\s*(\w+)/g)) {
        tested.add(present(match[1], 'capture'));
      }
    }
    expect([...alerts].filter((alert) => !tested.has(alert))).toEqual([]);
  });

  it('every metric used by the rules, their tests and the dashboard is declared in code', async () => {
    const declared = declaredMetrics();
    const used = new Map<string, string>();
    const [rules] = (await yamlDocuments(
      join(ROOT, 'deploy/prometheus/trail-insight.rules.yml'),
    )) as Array<{
      groups: Array<{ rules: Array<{ alert?: string; record?: string; expr: string }> }>;
    }>;
    if (rules === undefined) {
      throw new Error('trail-insight.rules.yml is empty');
    }
    for (const rule of rules.groups.flatMap((group) => group.rules)) {
      for (const name of metricNamesOf(rule.expr)) {
        used.set(name, `rule ${rule.alert ?? rule.record ?? '?'}`);
      }
    }
    const testDir = join(ROOT, 'deploy/prometheus/tests');
    for (const file of readdirSync(testDir).filter((name) => name.endsWith('.test.yml'))) {
      for (const match of readFileSync(join(testDir, file), 'utf8').matchAll(
        /series:\s*'([a-z_][a-z0-9_]*)\{/g,
      )) {
        used.set(present(match[1], 'capture'), `tests/${file}`);
      }
    }
    for (const expr of dashboardExpressions()) {
      for (const name of metricNamesOf(expr)) {
        used.set(name, 'deploy/grafana/trail-insight.json');
      }
    }
    expect(used.size).toBeGreaterThan(20);
    const problems = [...used]
      .map(([name, where]) => [undeclared(name, declared, skipped), where] as const)
      .filter(([problem]) => problem !== null)
      .map(([problem, where]) => `${where}: ${problem}`);
    expect(problems).toEqual([]);
  });

  it('every dashboard query is valid PromQL (promtool, with Grafana variables substituted)', async () => {
    const exprs = dashboardExpressions();
    expect(exprs.length).toBeGreaterThan(15);
    const file = join(out, 'dashboard-queries.rules.yml');
    const rules = exprs
      .map((expr, index) => {
        const concrete = expr.replace(/\$__rate_interval/g, '5m').replace(/\$job/g, '.+');
        return `      - record: dashboard:query_${index}\n        expr: ${JSON.stringify(concrete)}\n`;
      })
      .join('');
    writeFileSync(file, `groups:\n  - name: dashboard\n    rules:\n${rules}`);
    const result = await run(promtool, ['check', 'rules', file]);
    expectSuccess(result, 'promtool check rules (dashboard queries)');
  });
});

function dashboardExpressions(): string[] {
  const dashboard = JSON.parse(
    readFileSync(join(ROOT, 'deploy/grafana/trail-insight.json'), 'utf8'),
  ) as {
    panels: Array<{ targets?: Array<{ expr: string }> }>;
  };
  return dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
}
