import { readTrailContent } from './trail-content';

import type { ContentItem } from './trail-content';

const bytes = (text: string): Uint8Array => Buffer.from(text, 'utf8');
const read = (content: Uint8Array): ContentItem[] => [...readTrailContent(content)];
const values = (items: ContentItem[]): unknown[] =>
  items.map((item) => (item.kind === 'record' ? item.value : `malformed@${item.line}`));

describe(readTrailContent.name, () => {
  it('reads one JSON document: an array, a Records object or a single record', () => {
    expect(values(read(bytes('[{"a":1},{"a":2}]')))).toEqual([{ a: 1 }, { a: 2 }]);
    expect(values(read(bytes('{"Records":[{"a":1}]}')))).toEqual([{ a: 1 }]);
    expect(values(read(bytes('{"a":1}')))).toEqual([{ a: 1 }]);
    expect(values(read(bytes('{"Records":"x"}')))).toEqual([{ Records: 'x' }]);
  });

  it('drops a leading BOM', () => {
    expect(
      values(read(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes('[{"a":1}]')]))),
    ).toEqual([{ a: 1 }]);
  });

  it('falls back to JSON lines, keeping the rest of the file after a bad line', () => {
    const items = read(
      bytes('{"a":1}\r\n\n  \t\n{bad\n[{"a":2},3]\n{"Records":[{"a":4}]}\n{"a":5}'),
    );
    expect(values(items)).toEqual([{ a: 1 }, 'malformed@4', { a: 2 }, 3, { a: 4 }, { a: 5 }]);
    expect(items.map((item) => item.line)).toEqual([1, 4, 5, 5, 6, 7]);
  });

  it('treats a line that is not UTF-8 as one malformed record', () => {
    const content = Buffer.concat([
      bytes('{"a":1}\n'),
      Buffer.from([0xff, 0xfe, 0x0a]),
      bytes('{"a":2}\n'),
    ]);
    expect(values(read(content))).toEqual([{ a: 1 }, 'malformed@2', { a: 2 }]);
  });

  it('rejects NaN, Infinity and nesting deeper than 512 levels', () => {
    const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
    const items = read(bytes(`{"a":NaN}\n{"a":Infinity}\n{"a":${deep(512)}}\n{"a":${deep(511)}}`));
    expect(values(items.slice(0, 3))).toEqual(['malformed@1', 'malformed@2', 'malformed@3']);
    expect(values(items.slice(3))).toEqual([{ a: JSON.parse(deep(511)) as unknown }]);
  });

  it('rejects the shortest text nested too deep (513 levels, 1,026 characters)', () => {
    const deep = (levels: number): string => '['.repeat(levels) + ']'.repeat(levels);
    expect(values(read(bytes(`${deep(513)}\n${deep(512)}`)))).toEqual([
      'malformed@1',
      JSON.parse(deep(511)) as unknown,
    ]);
  });

  it('reads a file of one deep document line by line', () => {
    const record = { a: JSON.parse('['.repeat(511) + ']'.repeat(511)) as unknown };
    expect(values(read(bytes(JSON.stringify([record]))))).toEqual(['malformed@1']);
    expect(values(read(bytes(JSON.stringify(record))))).toEqual([record]);
  });

  it('reads empty content as no records', () => {
    expect(read(bytes(''))).toEqual([]);
    expect(read(bytes('\n\n'))).toEqual([]);
  });
});
