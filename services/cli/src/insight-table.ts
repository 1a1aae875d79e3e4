import type { IpInsight } from '@trail-insight/insights';

const COLUMNS = [
  'start (UTC)',
  'source IP',
  'account',
  'region',
  'ops',
  'days',
  'heterogeneity',
  'why',
];

function daysBetween(insight: IpInsight): string {
  const hours = (Date.parse(insight.endTime) - Date.parse(insight.startTime)) / 3_600_000;
  return hours < 24 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} d`;
}

/** A readable table of insights for `--format table`. */
export function formatInsightTable(insights: readonly IpInsight[]): string {
  if (insights.length === 0) {
    return 'No IP insights.\n';
  }
  const rows = insights.map((insight) => [
    insight.startTime.replace('T', ' ').slice(0, 19),
    insight.sourceIpAddress,
    insight.accountId,
    insight.region,
    String(insight.eventCount),
    daysBetween(insight),
    insight.heterogeneity.toFixed(1),
    (insight.signals ?? []).join('; '),
  ]);
  const widths = COLUMNS.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => row[index]?.length ?? 0)),
  );
  const render = (cells: string[]): string =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(COLUMNS), render(widths.map((width) => '-'.repeat(width))), ...rows.map(render)]
    .join('\n')
    .concat('\n');
}
