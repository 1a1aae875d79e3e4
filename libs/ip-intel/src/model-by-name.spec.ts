import { NONE_MODEL } from '@trail-insight/detection';

import { modelByName } from './model-by-name';

describe(modelByName.name, () => {
  it('returns model none as it is', () => {
    expect(modelByName('none')).toBe(NONE_MODEL);
  });

  it('creates model default without loading IP data', () => {
    const sut = modelByName('default', { threshold: 0.6 });

    expect(sut.name).toBe('default');
    expect(sut.usesUsualIps).toBe(true);
  });

  it('validates the configuration', () => {
    expect(() => modelByName('default', { threshold: -1 })).toThrow();
  });
});
