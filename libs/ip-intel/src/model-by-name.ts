import { NONE_MODEL } from '@trail-insight/detection';
import type { HeterogeneityModel } from '@trail-insight/detection';

import type { DefaultModelConfigInput } from './default-model-config.schema';
import { createDefaultModel } from './default-model';

/** Names accepted by the CLI's `--model`. */
export const MODEL_NAMES = ['none', 'default'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

/** Model `none` (exact SPEC rule) or model `default` with the given configuration. */
export function modelByName(name: ModelName, config?: DefaultModelConfigInput): HeterogeneityModel {
  switch (name) {
    case 'none':
      return NONE_MODEL;
    case 'default':
      return createDefaultModel(config);
  }
}
