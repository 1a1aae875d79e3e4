import { PersistOutcome, PersistScriptCode, persistOutcomeOf } from './persist-script';
import { StateStoreErrorCode } from './state-store.exception';
import { thrownBy } from './test/thrown-by';

describe(persistOutcomeOf.name, () => {
  it.each([
    [PersistScriptCode.Applied, PersistOutcome.Applied],
    [PersistScriptCode.AlreadyApplied, PersistOutcome.AlreadyApplied],
    [PersistScriptCode.OffsetConflict, PersistOutcome.Conflict],
  ])('maps code %i to the outcome %s', (code, outcome) => {
    expect(persistOutcomeOf(code, '1234')).toBe(outcome);
  });

  it.each([
    [PersistScriptCode.MalformedArguments, StateStoreErrorCode.ScriptArgumentsRejected],
    [PersistScriptCode.SchemaVersionMismatch, StateStoreErrorCode.SchemaVersionMismatch],
    [-99, StateStoreErrorCode.UnexpectedScriptReply],
    ['OK', StateStoreErrorCode.UnexpectedScriptReply],
  ])('turns reply %p into a non-retriable %s', (reply, code) => {
    expect(thrownBy(() => persistOutcomeOf(reply, '1234'))).toMatchObject({
      code,
      retriable: false,
    });
  });
});
