import type { NormalizedEvent } from '@trail-insight/events';

/** A usual IP of the (account, region) being compared, with its last-seen time. */
export interface UsualIp {
  ip: string;
  lastSeen: number;
}

/** What a model sees when a window opens (SPEC §4). */
export interface ModelInput {
  accountId: string;
  region: string;
  /** Canonical IP of the unfamiliar address. */
  ip: string;
  time: number;
  /** The operation that opened the window. */
  event: NormalizedEvent;
  /** Usual IPs of the same (account, region), not forgotten at `time`. */
  usualIps: readonly UsualIp[];
}

/** How well the IP fits the usual pattern; unusual when `predictedValue < threshold`. */
export interface ModelVerdict {
  predictedValue: number;
  threshold: number;
  /** Human-readable reasons, e.g. "same ASN as 3 usual IPs". Empty for model `none`. */
  signals: string[];
}

/** A pluggable heterogeneity model. Must be deterministic: same input, same verdict. */
export interface HeterogeneityModel {
  readonly name: string;
  /** False when the model ignores `usualIps`, so the engine need not collect them. */
  readonly usesUsualIps: boolean;
  evaluate(input: ModelInput): ModelVerdict;
}

/** Standard threshold of SPEC §5's example, used by model `none`. */
export const STANDARD_THRESHOLD = 0.5;

/** Model `none` (SPEC §4): every unfamiliar, non-allowed IP is unusual, heterogeneity 100. */
export const NONE_MODEL: HeterogeneityModel = {
  name: 'none',
  usesUsualIps: false,
  evaluate: () => ({ predictedValue: 0, threshold: STANDARD_THRESHOLD, signals: [] }),
};

/** heterogeneity = (threshold − predicted) / threshold × 100 (SPEC §4). */
export function heterogeneityOf(
  verdict: Pick<ModelVerdict, 'predictedValue' | 'threshold'>,
): number {
  return ((verdict.threshold - verdict.predictedValue) / verdict.threshold) * 100;
}
