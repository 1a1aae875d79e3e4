/** RFC 8259 leaves nesting depth to implementations; SPEC §1 fixes it at 512 levels. */
export const MAX_JSON_DEPTH = 512;

/** Whether a parsed JSON value nests arrays/objects deeper than `limit` (a scalar has depth 0). */
export function exceedsJsonDepth(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) {
    return false;
  }
  if (limit <= 0) {
    return true;
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item === 'object' && item !== null && exceedsJsonDepth(item, limit - 1)) {
        return true;
      }
    }
    return false;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && exceedsJsonDepth(item, limit - 1)) {
      return true;
    }
  }
  return false;
}

/** JSON.parse with the depth limit; returns `undefined` for anything that is not RFC 8259 JSON. */
export function parseJson(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  // Nesting deeper than the limit takes more than `limit` brackets opened and closed: text shorter
  // than that (most records) cannot exceed it, and is not walked.
  return text.length > 2 * MAX_JSON_DEPTH + 1 && exceedsJsonDepth(value) ? undefined : value;
}
