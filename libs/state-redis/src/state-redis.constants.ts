/** Key prefix used when none is configured. Short on purpose: it is repeated in every key. */
export const DEFAULT_STATE_PREFIX = 'ti:';

/**
 * Version of the stored layout (meta field `v`). The persist script refuses to write over another
 * version, so a rollout that changes encodings cannot silently mix them.
 */
export const STATE_SCHEMA_VERSION = '1';

/**
 * Most dirty entries (usual IPs + windows + event ids) one persist may carry. One call is one
 * atomic script run; splitting it would lose atomicity, so a caller with more must persist more
 * often. Measured at the limit: ~5 MB of arguments, Redis busy ~0.15 s (0.6 s at 200k).
 */
export const MAX_PERSIST_ENTRIES = 100_000;

/** Name of the persist command registered on the ioredis client with `defineCommand`. */
export const PERSIST_ACCOUNT_COMMAND = 'persistAccountState';
