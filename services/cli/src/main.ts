import { COMMANDS } from './commands/registry';
import { ExitCode, UsageError } from './cli-command';

function printHelp(): void {
  const lines = ['Usage: trail-insight <command> [options]', '', 'Commands:'];
  for (const command of COMMANDS) {
    lines.push(`  ${command.name.padEnd(10)} ${command.summary}`);
  }
  lines.push('', `Run 'trail-insight <command> --help' for a command's options.`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    printHelp();
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = COMMANDS.find((candidate) => candidate.name === name);
  if (command === undefined) {
    process.stderr.write(`trail-insight: unknown command '${name}'\n`);
    printHelp();
    return ExitCode.Usage;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    const parseArgsError =
      error instanceof Error &&
      String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS');
    if (error instanceof UsageError || parseArgsError) {
      process.stderr.write(
        `trail-insight ${command.name}: ${error.message}\nUsage: ${command.usage}\n`,
      );
      return ExitCode.Usage;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `trail-insight: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
