import { StateStoreErrorCode, StateStoreException } from './state-store.exception';

const ESCAPE = '\u0001';
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Redis stores bytes and ioredis sends strings as UTF-8, which turns a lone surrogate (legal in
 * a JSON string, so possible in a hostile event id or region) into U+FFFD: two distinct ids would
 * collide after a reload. Such strings, and strings starting with the escape itself, are stored
 * as ESCAPE + their JSON text (which escapes lone surrogates); every other string is stored as is.
 */
export function toStoredText(text: string): string {
  return text.startsWith(ESCAPE) || LONE_SURROGATE.test(text)
    ? ESCAPE + JSON.stringify(text)
    : text;
}

/** Inverse of {@link toStoredText}. */
export function fromStoredText(stored: string): string {
  if (!stored.startsWith(ESCAPE)) {
    return stored;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stored.slice(ESCAPE.length));
  } catch (error) {
    throw new StateStoreException(StateStoreErrorCode.CorruptState, 'escaped text is not JSON', {
      cause: error,
    });
  }
  if (typeof parsed !== 'string') {
    throw new StateStoreException(StateStoreErrorCode.CorruptState, 'escaped text is not a string');
  }
  return parsed;
}
