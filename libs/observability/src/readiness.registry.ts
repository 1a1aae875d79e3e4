import { Injectable } from '@nestjs/common';

/** Result of one readiness check: ready or not, with a short reason for operators. */
export interface ReadinessStatus {
  ok: boolean;
  detail?: string;
}

/** A named readiness check; may be async. A throw or a timeout counts as not ready. */
export type ReadinessCheck = () => boolean | ReadinessStatus | Promise<boolean | ReadinessStatus>;

export interface ReadinessReport {
  ready: boolean;
  checks: Record<string, ReadinessStatus>;
}

const CHECK_TIMEOUT_MS = 2_000;

function normalize(result: boolean | ReadinessStatus): ReadinessStatus {
  return typeof result === 'boolean' ? { ok: result } : result;
}

/**
 * Where libs register what `GET /ready` checks (e.g. "kafka consumer joined its group", "redis
 * answers PING"). A service with no checks is ready as soon as it serves HTTP.
 */
@Injectable()
export class ReadinessRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();
  private readonly liveness = new Map<string, ReadinessCheck>();

  /** Registers a check under a unique name; registering a name twice is a wiring bug. */
  register(name: string, check: ReadinessCheck): void {
    if (this.checks.has(name)) {
      throw new Error(`readiness check '${name}' is already registered`);
    }
    this.checks.set(name, check);
  }

  /**
   * Registers a liveness check, evaluated by `GET /health`: fail it only when the process cannot
   * recover by itself (e.g. a consumer that crashed for good), so the orchestrator restarts it.
   */
  registerLiveness(name: string, check: ReadinessCheck): void {
    if (this.liveness.has(name)) {
      throw new Error(`liveness check '${name}' is already registered`);
    }
    this.liveness.set(name, check);
  }

  unregister(name: string): void {
    this.checks.delete(name);
    this.liveness.delete(name);
  }

  get names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every readiness check concurrently, each bounded by a timeout. */
  evaluate(): Promise<ReadinessReport> {
    return ReadinessRegistry.run(this.checks);
  }

  /** Runs every liveness check (none registered: alive). */
  evaluateLiveness(): Promise<ReadinessReport> {
    return ReadinessRegistry.run(this.liveness);
  }

  private static async run(checks: Map<string, ReadinessCheck>): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...checks.entries()].map(async ([name, check]) => {
        let timer: NodeJS.Timeout | undefined;
        try {
          const timeout = new Promise<ReadinessStatus>((resolve) => {
            timer = setTimeout(
              () => resolve({ ok: false, detail: `timed out after ${CHECK_TIMEOUT_MS} ms` }),
              CHECK_TIMEOUT_MS,
            );
          });
          const status = await Promise.race([
            Promise.resolve().then(check).then(normalize),
            timeout,
          ]);
          return [name, status] as const;
        } catch (error) {
          return [name, { ok: false, detail: (error as Error).message ?? String(error) }] as const;
        } finally {
          clearTimeout(timer);
        }
      }),
    );
    return {
      ready: entries.every(([, status]) => status.ok),
      checks: Object.fromEntries(entries),
    };
  }
}
