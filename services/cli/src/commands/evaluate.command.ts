import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { labelsOf } from '@trail-insight/generator';
import { modelByName } from '@trail-insight/ip-intel';
import { analyzeTrailPaths } from '@trail-insight/trail-files';

import type { GeneratorOptions, IpLabel } from '@trail-insight/generator';
import type { IpInsight } from '@trail-insight/insights';
import type { ModelName } from '@trail-insight/ip-intel';

import { ExitCode, UsageError } from '../cli-command';

import { runGenerate } from './generate.command';

import type { CliCommand } from '../cli-command';

const USAGE =
  'trail-insight evaluate [--seeds N] [--days N] [--format actiontrail|cloudtrail|both] [--events-per-day N] [--json]';

/** Per model, over every seed: what its insights hit among the generator's labels. */
export interface ModelScore {
  model: ModelName;
  insights: number;
  attacksCaught: number;
  benignInsights: number;
  unlabeledInsights: number;
  /** Attacks that model `none` catches and this model misses (must stay 0). */
  attacksMissedVsNone: number;
  precision: number;
  recall: number;
}

interface SeedRun {
  format: GeneratorOptions['format'];
  seed: number;
  attacks: number;
  byModel: Record<
    ModelName,
    { caught: Set<string>; benign: number; unlabeled: number; insights: number }
  >;
}

const keyOf = (accountId: string, region: string, ip: string): string =>
  `${accountId}|${region}|${ip}`;

function score(insights: IpInsight[], labels: Map<string, IpLabel>): SeedRun['byModel'][ModelName] {
  const caught = new Set<string>();
  let benign = 0;
  let unlabeled = 0;
  for (const insight of insights) {
    const key = keyOf(insight.accountId, insight.region, insight.sourceIpAddress);
    const label = labels.get(key);
    if (label === undefined) {
      unlabeled += 1;
    } else if (label.malicious) {
      caught.add(key);
    } else {
      benign += 1;
    }
  }
  return { caught, benign, unlabeled, insights: insights.length };
}

async function evaluateSeed(generator: GeneratorOptions): Promise<SeedRun> {
  const dir = await mkdtemp(join(tmpdir(), 'trail-insight-evaluate-'));
  try {
    await runGenerate({ dir, labels: null, generator });
    const trail = labelsOf(generator);
    const labels = new Map(
      trail.ips.map((label) => [keyOf(label.accountId, label.region, label.ip), label]),
    );
    const byModel = {} as SeedRun['byModel'];
    for (const model of ['none', 'default'] as const) {
      const { insights } = await analyzeTrailPaths([dir], {
        config: {
          minBaseline: trail.minBaseline,
          homeRegion: trail.homeRegion,
          allowList: [],
          model: modelByName(model),
        },
      });
      byModel[model] = score(insights, labels);
    }
    return {
      format: generator.format,
      seed: generator.seed,
      attacks: trail.ips.filter((label) => label.malicious).length,
      byModel,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Sums seed runs into one score per model. */
export function summarize(runs: readonly SeedRun[]): ModelScore[] {
  return (['none', 'default'] as const).map((model) => {
    let insights = 0;
    let caught = 0;
    let benign = 0;
    let unlabeled = 0;
    let missed = 0;
    let attacks = 0;
    for (const run of runs) {
      const result = run.byModel[model];
      insights += result.insights;
      caught += result.caught.size;
      benign += result.benign;
      unlabeled += result.unlabeled;
      attacks += run.attacks;
      for (const key of run.byModel.none.caught) {
        if (!result.caught.has(key)) {
          missed += 1;
        }
      }
    }
    return {
      model,
      insights,
      attacksCaught: caught,
      benignInsights: benign,
      unlabeledInsights: unlabeled,
      attacksMissedVsNone: missed,
      precision: insights === 0 ? 1 : caught / insights,
      recall: attacks === 0 ? 1 : caught / attacks,
    };
  });
}

function renderTable(scores: ModelScore[], runs: readonly SeedRun[]): string {
  const attacks = runs.reduce((sum, run) => sum + run.attacks, 0);
  const none = scores.find((s) => s.model === 'none');
  const lines = [
    `${runs.length} trails (${[...new Set(runs.map((r) => r.format))].join(', ')}; seeds ${[...new Set(runs.map((r) => r.seed))].join(', ')}), ${attacks} labelled attacking IPs`,
    '',
    '| model | insights | attacks caught | recall | precision | benign insights | benign removed vs none | attacks missed vs none |',
    '|---|---|---|---|---|---|---|---|',
    ...scores.map((s) => {
      const removed =
        none === undefined || none.benignInsights === 0
          ? 0
          : 1 - s.benignInsights / none.benignInsights;
      return `| ${s.model} | ${s.insights} | ${s.attacksCaught} | ${(s.recall * 100).toFixed(1)}% | ${(s.precision * 100).toFixed(1)}% | ${s.benignInsights} | ${(removed * 100).toFixed(1)}% | ${s.attacksMissedVsNone} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}

function positive(name: string, text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) {
    throw new UsageError(`--${name} must be a positive integer, got '${text}'`);
  }
  return Number(text);
}

async function runEvaluate(argv: string[]): Promise<ExitCode> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      options: {
        seeds: { type: 'string', default: '3' },
        days: { type: 'string', default: '14' },
        format: { type: 'string', default: 'both' },
        'events-per-day': { type: 'string', default: '20000' },
        json: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values } = parsed;
  const formats: Array<GeneratorOptions['format']> | null =
    values.format === 'both'
      ? ['actiontrail', 'cloudtrail']
      : values.format === 'actiontrail' || values.format === 'cloudtrail'
        ? [values.format]
        : null;
  if (formats === null) {
    throw new UsageError(`--format must be actiontrail, cloudtrail or both`);
  }
  const seeds = positive('seeds', values.seeds);
  const runs: SeedRun[] = [];
  for (const format of formats) {
    for (let seed = 1; seed <= seeds; seed += 1) {
      runs.push(
        await evaluateSeed({
          format,
          seed,
          days: positive('days', values.days),
          eventsPerDay: positive('events-per-day', values['events-per-day']),
          malformedRate: 0,
        }),
      );
    }
  }
  const scores = summarize(runs);
  process.stdout.write(
    values.json ? `${JSON.stringify(scores, null, 2)}\n` : renderTable(scores, runs),
  );
  return ExitCode.Ok;
}

export const evaluateCommand: CliCommand = {
  name: 'evaluate',
  usage: USAGE,
  summary: 'Precision, recall and benign insights of models none and default on labelled trails',
  run: runEvaluate,
};
