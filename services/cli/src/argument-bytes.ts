import { readFileSync } from 'node:fs';

const REPLACEMENT = '\uFFFD';

/**
 * Command-line paths as the bytes the user gave, where Node's UTF-8 decoding of `process.argv`
 * lost some (a file name that is not UTF-8 decodes with U+FFFD and opens nothing). The bytes come
 * from `cmdline` (Linux's `/proc/self/cmdline`, NUL-separated): an argument with U+FFFD takes the
 * raw argument that decodes to it, when exactly one does; otherwise it stays as decoded.
 */
export function recoverArgumentBytes(
  args: readonly string[],
  cmdline: () => Buffer = () => readFileSync('/proc/self/cmdline'),
): Array<string | Buffer> {
  if (!args.some((arg) => arg.includes(REPLACEMENT))) {
    return [...args];
  }
  let raw: Buffer;
  try {
    raw = cmdline();
  } catch {
    return [...args];
  }
  const byText = new Map<string, Buffer[]>();
  let start = 0;
  for (let end = raw.indexOf(0); end !== -1; end = raw.indexOf(0, start)) {
    const bytes = raw.subarray(start, end);
    start = end + 1;
    const text = bytes.toString();
    const seen = byText.get(text) ?? [];
    if (!seen.some((other) => other.equals(bytes))) {
      seen.push(Buffer.from(bytes));
    }
    byText.set(text, seen);
  }
  return args.map((arg) => {
    const candidates = arg.includes(REPLACEMENT) ? byText.get(arg) : undefined;
    return candidates?.length === 1 ? (candidates[0] as Buffer) : arg;
  });
}
