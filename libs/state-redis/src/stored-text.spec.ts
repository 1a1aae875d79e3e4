import fc from 'fast-check';

import { fromStoredText, toStoredText } from './stored-text';
import { hostileText } from './test/account-state.arbitrary';

describe('stored text', () => {
  it('round-trips any UTF-16 string through UTF-8', () => {
    fc.assert(
      fc.property(hostileText(), (text) => {
        const stored = toStoredText(text);

        expect(Buffer.from(stored, 'utf8').toString('utf8')).toBe(stored);
        expect(fromStoredText(stored)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('keeps well-formed text as it is', () => {
    expect(toStoredText('cn-hangzhou')).toBe('cn-hangzhou');
    expect(toStoredText('😀 ok')).toBe('😀 ok');
  });

  it('keeps distinct lone surrogates distinct', () => {
    expect(toStoredText('\ud800')).not.toBe(toStoredText('\ud801'));
  });
});
