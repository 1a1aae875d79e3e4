/** What `act` throws (fails the test when it returns), for `toMatchObject` on typed errors. */
export function thrownBy(act: () => unknown): unknown {
  try {
    act();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
