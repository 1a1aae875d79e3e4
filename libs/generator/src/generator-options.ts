import type { TrailFormat } from './trail-catalog';

/** What to generate. Everything is a pure function of these values. */
export interface GeneratorOptions {
  format: TrailFormat;
  /** Length of the trail in days (1–366). */
  days: number;
  /** Any safe integer: the same seed gives byte-identical output. */
  seed: number;
  /** Accounts in the trail (1–20): a main account, a small one, then medium ones. Default 3. */
  accounts?: number;
  /** Background events per day over all accounts (scenario events come on top). Default 20,000. */
  eventsPerDay?: number;
  /** First instant, epoch ms at a whole UTC hour. Default 2026-03-01T00:00:00Z (a Sunday). */
  startTime?: number;
  /**
   * Share of background records written malformed (0–0.5). Default 0.001. When above 0, every
   * JSON-lines hour also holds at least one broken line per account.
   */
  malformedRate?: number;
}

export type ResolvedGeneratorOptions = Readonly<Required<GeneratorOptions>>;

/** Defaults of the optional {@link GeneratorOptions}. */
export const GENERATOR_DEFAULTS = {
  accounts: 3,
  eventsPerDay: 20_000,
  startTime: Date.UTC(2026, 2, 1),
  malformedRate: 0.001,
} as const;

const MS_PER_HOUR = 3_600_000;

function requireInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/** Fills in defaults and checks ranges; throws a `RangeError` naming the bad option. */
export function resolveGeneratorOptions(options: GeneratorOptions): ResolvedGeneratorOptions {
  const resolved = {
    format: options.format,
    days: options.days,
    seed: options.seed,
    accounts: options.accounts ?? GENERATOR_DEFAULTS.accounts,
    eventsPerDay: options.eventsPerDay ?? GENERATOR_DEFAULTS.eventsPerDay,
    startTime: options.startTime ?? GENERATOR_DEFAULTS.startTime,
    malformedRate: options.malformedRate ?? GENERATOR_DEFAULTS.malformedRate,
  };
  if (resolved.format !== 'actiontrail' && resolved.format !== 'cloudtrail') {
    throw new RangeError(
      `format must be actiontrail or cloudtrail, got ${String(resolved.format)}`,
    );
  }
  requireInteger('days', resolved.days, 1, 366);
  requireInteger('seed', resolved.seed, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  requireInteger('accounts', resolved.accounts, 1, 20);
  requireInteger('eventsPerDay', resolved.eventsPerDay, 0, 100_000_000);
  requireInteger('startTime', resolved.startTime, 0, Date.UTC(9000, 0, 1));
  if (resolved.startTime % MS_PER_HOUR !== 0) {
    throw new RangeError('startTime must be a whole UTC hour');
  }
  if (!(resolved.malformedRate >= 0 && resolved.malformedRate <= 0.5)) {
    throw new RangeError(`malformedRate must be from 0 to 0.5, got ${resolved.malformedRate}`);
  }
  return resolved;
}
