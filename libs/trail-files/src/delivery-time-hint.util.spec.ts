import { deliveryTimeHint } from './delivery-time-hint.util';

describe(deliveryTimeHint.name, () => {
  it.each([
    [
      'AWSLogs/1/CloudTrail/us-east-1/2023/07/10/1_CloudTrail_us-east-1_20230710T1220Z_Wm.json.gz',
      Date.UTC(2023, 6, 10, 12, 20),
    ],
    [
      'a/cn-shanghai/2026/03/03/Actiontrail_cn-shanghai_20260303220000_1002_64_52007_8b84.gz',
      Date.UTC(2026, 2, 3, 22),
    ],
    ['logs/2026/03/04/part.jsonl', Date.UTC(2026, 2, 4)],
    ['trail.json', Number.NEGATIVE_INFINITY],
    ['x/12345678901234567/y.json', Number.NEGATIVE_INFINITY],
  ])('reads %s', (path, expected) => {
    expect(deliveryTimeHint(path)).toBe(expected);
  });
});
