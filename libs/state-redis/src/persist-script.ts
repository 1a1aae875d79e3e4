import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { Cluster, Redis, Result } from 'ioredis';

import { PERSIST_ACCOUNT_COMMAND } from './state-redis.constants';
import { StateStoreErrorCode, StateStoreException } from './state-store.exception';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /**
     * src/lua/persist-account-4.lua; returns a {@link PersistScriptCode}. ARGV goes as one array
     * (ioredis flattens it), never spread: a batch may carry more arguments than a JS call may.
     */
    persistAccountState(
      meta: string,
      usual: string,
      windows: string,
      ids: string,
      argv: Array<string | Buffer>,
    ): Result<number, Context>;
  }
}

/** Return codes of src/lua/persist-account-4.lua. */
export enum PersistScriptCode {
  Applied = 0,
  AlreadyApplied = -1,
  MalformedArguments = -2,
  SchemaVersionMismatch = -3,
  OffsetConflict = -4,
}

/** What a persist did. Not-applied outcomes are expected races, not errors. */
export enum PersistOutcome {
  Applied = 'applied',
  /** The batch's offset was already applied: nothing written; the caller's copy is stale. */
  AlreadyApplied = 'already-applied',
  /** Advance only: the account moved on since it was loaded; nothing written; reload it. */
  Conflict = 'conflict',
  /** Nothing was dirty, so nothing was sent (cache only). */
  Unchanged = 'unchanged',
}

/**
 * The one mapping from a script reply to an outcome; negative codes that are failures become a
 * {@link StateStoreException}.
 */
export function persistOutcomeOf(reply: unknown, accountId: string): PersistOutcome {
  switch (reply) {
    case PersistScriptCode.Applied:
      return PersistOutcome.Applied;
    case PersistScriptCode.AlreadyApplied:
      return PersistOutcome.AlreadyApplied;
    case PersistScriptCode.OffsetConflict:
      return PersistOutcome.Conflict;
    case PersistScriptCode.MalformedArguments:
      throw new StateStoreException(
        StateStoreErrorCode.ScriptArgumentsRejected,
        `persist script rejected its arguments for account ${accountId}`,
      );
    case PersistScriptCode.SchemaVersionMismatch:
      throw new StateStoreException(
        StateStoreErrorCode.SchemaVersionMismatch,
        `account ${accountId} is stored with another schema version`,
      );
    default:
      throw new StateStoreException(
        StateStoreErrorCode.UnexpectedScriptReply,
        `persist script replied ${JSON.stringify(reply)} for account ${accountId}`,
      );
  }
}

/**
 * Directory of the Lua files. Bundles must ship `src/lua/*.lua` in a `lua/` folder beside the
 * bundle (or pass `luaDir`), since the scripts are read at startup.
 */
export const DEFAULT_LUA_DIR = join(__dirname, 'lua');

const sources = new Map<string, string>();

function readScript(luaDir: string, file: string): string {
  const path = join(luaDir, file);
  let source = sources.get(path);
  if (source === undefined) {
    try {
      source = readFileSync(path, 'utf8');
    } catch (error) {
      throw new StateStoreException(
        StateStoreErrorCode.ScriptNotFound,
        `Lua script ${path} cannot be read`,
        { cause: error },
      );
    }
    sources.set(path, source);
  }
  return source;
}

/**
 * Registers the state scripts on a client (idempotent). ioredis then runs them with EVALSHA and
 * falls back to EVAL on NOSCRIPT, so a `SCRIPT FLUSH` or a restarted Redis needs nothing more.
 */
export function registerStateScripts(client: Redis | Cluster, luaDir = DEFAULT_LUA_DIR): void {
  if (
    typeof (client as unknown as Record<string, unknown>)[PERSIST_ACCOUNT_COMMAND] === 'function'
  ) {
    return;
  }
  client.defineCommand(PERSIST_ACCOUNT_COMMAND, {
    numberOfKeys: 4,
    lua: readScript(luaDir, 'persist-account-4.lua'),
  });
}
