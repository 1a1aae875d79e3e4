/** Injection token of the root pino logger (type `pino.Logger`). */
export const ROOT_LOGGER = Symbol('trail-insight:root-logger');

/** Injection token of {@link ServiceInfo}. */
export const SERVICE_INFO = Symbol('trail-insight:service-info');

/** Log paths never written in clear (pino redact syntax). */
export const REDACTED_PATHS: readonly string[] = [
  'password',
  '*.password',
  '*.*.password',
  'sasl',
  '*.sasl',
  '*.*.sasl',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.secretAccessKey',
  '*.*.secretAccessKey',
  '*.accessKeySecret',
  '*.*.accessKeySecret',
  '*.token',
  '*.redisUrl',
];

/** Paths of the HTTP endpoints this lib serves; not request-logged. */
export const PROBE_PATHS = ['/health', '/ready', '/metrics'] as const;
