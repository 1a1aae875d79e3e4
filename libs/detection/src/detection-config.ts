import type { Cidr } from '@trail-insight/events';

import type { HeterogeneityModel } from './heterogeneity-model';

/** Per-trail settings of SPEC §2–§4. */
export interface DetectionConfig {
  /** Events an account needs before the verdict time for a window to yield an insight. */
  minBaseline: number;
  /** Region where the trail was created; global events elsewhere only count toward the baseline. */
  homeRegion: string | null;
  /** Allowed CIDRs: never analyzed, still counted. */
  allowList: readonly Cidr[];
  model: HeterogeneityModel;
}
