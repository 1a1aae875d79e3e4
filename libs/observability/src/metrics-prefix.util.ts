/** `sink-oss` → `sink_oss_`: the prefix of every metric a service exports. */
export function metricsPrefixOf(service: string): string {
  const snake = service
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (snake.length === 0 || !/^[a-z]/.test(snake)) {
    throw new Error(`service name '${service}' cannot prefix metric names`);
  }
  return `${snake}_`;
}
