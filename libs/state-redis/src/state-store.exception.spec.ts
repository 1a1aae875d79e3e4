import { StateStoreErrorCode, StateStoreException } from './state-store.exception';

describe(StateStoreException.name, () => {
  it('is retriable only for Redis failures', () => {
    const retriable = Object.values(StateStoreErrorCode).filter(
      (code) => new StateStoreException(code, 'x').retriable,
    );

    expect(retriable).toEqual([StateStoreErrorCode.RedisCommandFailed]);
  });

  it('wraps a client error with its cause and passes its own exceptions through', () => {
    const cause = new Error('Connection is closed.');
    const own = new StateStoreException(StateStoreErrorCode.CorruptState, 'bad');

    const wrapped = StateStoreException.fromRedis(cause, 'load');

    expect(wrapped).toMatchObject({
      name: 'StateStoreException',
      code: StateStoreErrorCode.RedisCommandFailed,
      retriable: true,
      cause,
    });
    expect(StateStoreException.fromRedis(own, 'load')).toBe(own);
  });
});
