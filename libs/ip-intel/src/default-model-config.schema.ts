import { STANDARD_THRESHOLD } from '@trail-insight/detection';
import { z } from 'zod';

const weight = (value: number) => z.number().min(-1).max(1).default(value);

/**
 * What each signal adds to `predictedValue` when it fires (negative: it lowers it). The sum over
 * fired signals, clamped to [0, 1], is the predicted value. Defaults in docs/heterogeneity-model.md.
 */
export const SignalWeightsSchema = z.strictObject({
  sameNarrowPrefix: weight(0.6),
  sameWidePrefix: weight(0.35),
  sameAsn: weight(0.5),
  samePrivateNetwork: weight(0.5),
  newNetwork: weight(0),
  unknownNetwork: weight(0),
  sameCountry: weight(0.15),
  sameCountryMobileCarrier: weight(0.35),
  differentCountry: weight(0),
  newHostingNetwork: weight(-0.4),
  newAnonymizerNetwork: weight(-0.6),
  offHours: weight(-0.05),
  sensitiveOperation: weight(-0.05),
});

/** Settings of model `default`; every field has a documented default. */
export const DefaultModelConfigSchema = z.strictObject({
  threshold: z.number().gt(0).max(1).default(STANDARD_THRESHOLD),
  weights: SignalWeightsSchema.prefault({}),
  offHours: z
    .strictObject({
      minUsualIps: z.int().min(1).default(5),
      gapHours: z.int().min(0).max(11).default(3),
    })
    .prefault({}),
  profileCacheSize: z.int().min(0).default(100_000),
});

export type SignalWeights = z.output<typeof SignalWeightsSchema>;
export type SignalName = keyof SignalWeights;
export type DefaultModelConfig = z.output<typeof DefaultModelConfigSchema>;
/** Input form: any field may be left out, weights one by one. */
export type DefaultModelConfigInput = z.input<typeof DefaultModelConfigSchema>;

/** The defaults, parsed from an empty configuration. */
export const DEFAULT_MODEL_CONFIG: DefaultModelConfig = DefaultModelConfigSchema.parse({});
