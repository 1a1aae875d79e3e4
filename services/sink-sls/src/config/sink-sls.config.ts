import { readFileSync } from 'node:fs';

/** The variables {@link slsSinkConfigOf} reads (a subset of the app's parsed env). */
export interface SlsEnv {
  SLS_PROJECT: string;
  SLS_LOGSTORE: string;
  SLS_REGION?: string | undefined;
  SLS_ENDPOINT?: string[] | undefined;
  SLS_ACCESS_KEY_ID: string;
  SLS_ACCESS_KEY_SECRET: string;
  SLS_CA_FILE?: string | undefined;
  SLS_CONNECT_TIMEOUT_MS: number;
}

/** Injection token of {@link SlsSinkConfig}. */
export const SLS_SINK_CONFIG = Symbol('sink-sls:config');

/** Where and how to write logs through SLS's Kafka-compatible endpoint. */
export interface SlsSinkConfig {
  project: string;
  logstore: string;
  brokers: string[];
  /** `<logstore>.json`: SLS parses each message as JSON and turns its fields into log fields. */
  topic: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** PEM certificates to trust instead of the system CAs (tests, private endpoints). */
  ca: string[] | null;
  connectTimeoutMs: number;
}

/** SLS's Kafka-compatible endpoint of a project (SASL_SSL). */
export function defaultSlsEndpoint(project: string, region: string): string {
  return `${project}.${region}.log.aliyuncs.com:10012`;
}

/** Maps the parsed env; reads `SLS_CA_FILE` (a missing file fails the start with its path). */
export function slsSinkConfigOf(env: SlsEnv): SlsSinkConfig {
  let ca: string[] | null = null;
  if (env.SLS_CA_FILE !== undefined) {
    try {
      ca = [readFileSync(env.SLS_CA_FILE, 'utf8')];
    } catch (error) {
      throw new Error(`SLS_CA_FILE: cannot read ${env.SLS_CA_FILE}: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  return {
    project: env.SLS_PROJECT,
    logstore: env.SLS_LOGSTORE,
    brokers: env.SLS_ENDPOINT ?? [defaultSlsEndpoint(env.SLS_PROJECT, env.SLS_REGION as string)],
    topic: `${env.SLS_LOGSTORE}.json`,
    accessKeyId: env.SLS_ACCESS_KEY_ID,
    accessKeySecret: env.SLS_ACCESS_KEY_SECRET,
    ca,
    connectTimeoutMs: env.SLS_CONNECT_TIMEOUT_MS,
  };
}
