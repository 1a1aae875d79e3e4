import { WaitForTimeoutError, waitFor } from './wait-for';

describe(waitFor.name, () => {
  it('returns the first truthy value of the predicate', async () => {
    let calls = 0;
    await expect(
      waitFor(() => (++calls >= 3 ? calls : 0), 1_000, 'three calls', { intervalMs: 1 }),
    ).resolves.toBe(3);
  });

  it('fails with the label and the last error when time runs out', async () => {
    const failing = waitFor(
      () => {
        throw new Error('not yet');
      },
      30,
      'the impossible',
      { intervalMs: 5 },
    );
    await expect(failing).rejects.toThrow(WaitForTimeoutError);
    await expect(failing).rejects.toThrow(/the impossible; last error: not yet/);
  });

  it('rejects early when the abort promise rejects', async () => {
    const abort = Promise.reject(new Error('consumer crashed'));
    await expect(waitFor(() => false, 10_000, 'never', { abort, intervalMs: 1 })).rejects.toThrow(
      /aborted: Error: consumer crashed/,
    );
  });
});
