import { analyzeCommand } from './analyze.command';

import type { CliCommand } from '../cli-command';

/** Every subcommand, in help order. */
export const COMMANDS: readonly CliCommand[] = [analyzeCommand];
