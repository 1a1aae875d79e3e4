import { ReadinessRegistry } from './readiness.registry';

describe(ReadinessRegistry.name, () => {
  it('is ready when every check passes, with a report per check', async () => {
    const sut = new ReadinessRegistry();
    sut.register('a', () => true);
    sut.register('b', () => Promise.resolve({ ok: true, detail: 'fine' }));
    await expect(sut.evaluate()).resolves.toEqual({
      ready: true,
      checks: { a: { ok: true }, b: { ok: true, detail: 'fine' } },
    });
  });

  it('is not ready when a check fails, throws or never answers', async () => {
    const sut = new ReadinessRegistry();
    sut.register('down', () => ({ ok: false, detail: 'not in the group' }));
    sut.register('throws', () => {
      throw new Error('boom');
    });
    sut.register('ok', () => true);
    const report = await sut.evaluate();
    expect(report.ready).toBe(false);
    expect(report.checks['throws']).toEqual({ ok: false, detail: 'boom' });
    expect(report.checks['ok']).toEqual({ ok: true });
  });

  it('refuses a second check with the same name and keeps liveness separate', async () => {
    const sut = new ReadinessRegistry();
    sut.register('kafka', () => false);
    expect(() => sut.register('kafka', () => true)).toThrow(/already registered/);
    await expect(sut.evaluateLiveness()).resolves.toEqual({ ready: true, checks: {} });
    sut.registerLiveness('kafka', () => ({ ok: false, detail: 'crashed' }));
    expect((await sut.evaluateLiveness()).ready).toBe(false);
  });
});
