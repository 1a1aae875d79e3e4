import { recoverArgumentBytes } from './argument-bytes';

const cmdline = (...args: Array<string | Buffer>): (() => Buffer) => {
  const bytes = Buffer.concat(args.flatMap((arg) => [Buffer.from(arg), Buffer.from([0])]));
  return () => bytes;
};
const odd = Buffer.concat([Buffer.from('dir/'), Buffer.from([0xff]), Buffer.from('.json')]);

describe(recoverArgumentBytes.name, () => {
  it('gives back the bytes of an argument that is not UTF-8', () => {
    const read = cmdline('node', '--max-semi-space-size=64', 'main.js', 'analyze', odd, 'b.json');

    expect(recoverArgumentBytes([odd.toString(), 'b.json'], read)).toEqual([odd, 'b.json']);
  });

  it('keeps the text when no argument lost bytes, the bytes are ambiguous or unreadable', () => {
    const other = Buffer.concat([Buffer.from('dir/'), Buffer.from([0xfe]), Buffer.from('.json')]);
    const unreadable = (): Buffer => {
      throw new Error('no /proc');
    };

    expect(recoverArgumentBytes(['a.json'], unreadable)).toEqual(['a.json']);
    expect(recoverArgumentBytes([odd.toString()], cmdline('node', odd, other))).toEqual([
      odd.toString(),
    ]);
    expect(recoverArgumentBytes([odd.toString()], unreadable)).toEqual([odd.toString()]);
  });
});
