import { analyzeCommand } from './analyze.command';
import { benchCommand } from './bench.command';
import { demoCommand } from './demo.command';
import { evaluateCommand } from './evaluate.command';
import { generateCommand } from './generate.command';
import { replayCommand } from './replay.command';

import type { CliCommand } from '../cli-command';

/** Every subcommand, in help order. */
export const COMMANDS: readonly CliCommand[] = [
  analyzeCommand,
  generateCommand,
  demoCommand,
  evaluateCommand,
  replayCommand,
  benchCommand,
];
