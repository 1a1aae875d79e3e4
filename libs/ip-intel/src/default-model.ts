import type { HeterogeneityModel, ModelInput, ModelVerdict } from '@trail-insight/detection';

import { DefaultModelConfigSchema } from './default-model-config.schema';
import type { DefaultModelConfig, DefaultModelConfigInput } from './default-model-config.schema';
import { hostingNetworkSignal } from './hosting-network.signal';
import { sharedIpData } from './ip-data.repository';
import { IpProfileCache } from './ip-profile';
import type { IpIntel } from './network-info';
import { mobileCarrierSignal } from './mobile-carrier.signal';
import { offHoursSignal } from './off-hours.signal';
import { sameCountrySignal } from './same-country.signal';
import { sameNetworkSignal } from './same-network.signal';
import { sensitiveOperationSignal } from './sensitive-operation.signal';
import { sharedPrefixSignal } from './shared-prefix.signal';
import { summarizeUsual } from './signal';
import type { SignalContext, SignalFinding, UsualProfile } from './signal';

/** Reason given when there is nothing to compare with. */
export const NO_USUAL_IPS_REASON = 'no usual IPs in this account and region to compare with';

function runSignals(context: SignalContext, config: DefaultModelConfig): SignalFinding[] {
  const findings = [
    sharedPrefixSignal(context),
    sameNetworkSignal(context),
    sameCountrySignal(context),
    mobileCarrierSignal(context),
    hostingNetworkSignal(context),
    offHoursSignal(context, config.offHours),
    sensitiveOperationSignal(context),
  ];
  return findings.filter((finding): finding is SignalFinding => finding !== null);
}

function evaluateWith(
  input: ModelInput,
  config: DefaultModelConfig,
  profiles: IpProfileCache,
): ModelVerdict {
  const nothingToCompare = {
    predictedValue: 0,
    threshold: config.threshold,
    signals: [NO_USUAL_IPS_REASON],
  };
  if (input.usualIps.length === 0) {
    return nothingToCompare;
  }
  const candidate = profiles.profile(input.ip);
  if (candidate === null) {
    return { predictedValue: 0, threshold: config.threshold, signals: ['not an IP address'] };
  }
  const usual: UsualProfile[] = [];
  for (const { ip, lastSeen } of input.usualIps) {
    const profile = profiles.profile(ip);
    if (profile !== null && profile.text !== candidate.text) {
      usual.push({ profile, lastSeen });
    }
  }
  if (usual.length === 0) {
    return nothingToCompare;
  }
  const findings = runSignals(
    {
      candidate,
      usual,
      summary: summarizeUsual(candidate, usual),
      time: input.time,
      event: input.event,
    },
    config,
  );
  const sum = findings.reduce((total, finding) => total + config.weights[finding.signal], 0);
  return {
    predictedValue: Math.round(Math.min(1, Math.max(0, sum)) * 1e6) / 1e6,
    threshold: config.threshold,
    signals: findings.map((finding) => finding.reason),
  };
}

/**
 * Model `default` (SPEC §4): how well a new IP fits the usual IPs of its (account, region), from
 * shared prefixes, autonomous system, country, hosting/VPN/Tor-exit networks, hour and operation.
 * `predictedValue` is the sum of the weights of the signals that fired, clamped to [0, 1]; with no
 * usual IP it is 0 (unusual, as with model `none`). Deterministic: the verdict depends only on the
 * input (usual IPs in any order), the configuration and the installed data version. IP data is
 * loaded on the first evaluation that has usual IPs, not on creation.
 *
 * @param config threshold, signal weights and options; invalid values throw a ZodError.
 * @param intel the IP data (defaults to the installed `@ip-location-db/*` packages).
 */
export function createDefaultModel(
  config: DefaultModelConfigInput = {},
  intel: () => IpIntel = sharedIpData,
): HeterogeneityModel {
  const settings = DefaultModelConfigSchema.parse(config);
  const profiles = new IpProfileCache(intel, settings.profileCacheSize);
  return {
    name: 'default',
    usesUsualIps: true,
    evaluate: (input) => evaluateWith(input, settings, profiles),
  };
}
