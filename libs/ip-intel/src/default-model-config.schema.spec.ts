import { DEFAULT_MODEL_CONFIG, DefaultModelConfigSchema } from './default-model-config.schema';

describe('DefaultModelConfigSchema', () => {
  it('fills every default from an empty object', () => {
    expect(DEFAULT_MODEL_CONFIG).toEqual({
      threshold: 0.5,
      weights: {
        sameNarrowPrefix: 0.6,
        sameWidePrefix: 0.35,
        sameAsn: 0.5,
        samePrivateNetwork: 0.5,
        newNetwork: 0,
        unknownNetwork: 0,
        sameCountry: 0.15,
        sameCountryMobileCarrier: 0.35,
        differentCountry: 0,
        newHostingNetwork: -0.4,
        newAnonymizerNetwork: -0.6,
        offHours: -0.05,
        sensitiveOperation: -0.05,
      },
      offHours: { minUsualIps: 5, gapHours: 3 },
      profileCacheSize: 100_000,
    });
  });

  it('overrides weights one by one', () => {
    const sut = DefaultModelConfigSchema.parse({ threshold: 0.6, weights: { sameAsn: 0.45 } });

    expect(sut.threshold).toBe(0.6);
    expect(sut.weights.sameAsn).toBe(0.45);
    expect(sut.weights.sameCountry).toBe(0.15);
  });

  it.each([
    [{ threshold: 0 }],
    [{ threshold: 1.5 }],
    [{ weights: { sameAsn: 2 } }],
    [{ weights: { sameAsm: 0.5 } }],
    [{ offHours: { gapHours: 1.5 } }],
    [{ unknown: true }],
  ])('rejects %j', (config) => {
    expect(DefaultModelConfigSchema.safeParse(config).success).toBe(false);
  });
});
