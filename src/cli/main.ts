#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { ConfigError, UsageError } from '../config/config-error.js';
import { EXIT_USAGE, runDiagnose } from './diagnose-command.js';

function buildProgram(): Command {
  const program = new Command('diagbot')
    .description('Diagnose HTTP 500s on your hosts over SSH and classify the root cause')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();

  program.command('diagnose')
    .description('diagnose the named inventory hosts in parallel ("local" = this machine, no SSH)')
    .argument('<host...>', 'inventory host names')
    .option('-i, --inventory <file>', 'inventory YAML (default: $DIAGBOT_INVENTORY or ./inventory.yaml)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('-t, --timeout-ms <ms>', 'time budget per host for connecting and all commands', '20000')
    .addOption(new Option('--dump-raw <dir>', 'also write each host\'s raw command output to DIR/<host>.json (for fixtures)').hideHelp())
    .action(async (hosts: string[], opts) => {
      process.exitCode = await runDiagnose(hosts, opts);
    });
  // The Slack service is not part of this build yet; say so instead of "unknown command".
  for (const [name, what] of [['start', 'web + worker'], ['web', 'the HTTP side'], ['worker', 'the queue worker'], ['migrate', 'database migrations']] as const) {
    program.command(name).description(`${what} of the Slack bot (not in this build yet)`).action(() => {
      throw new UsageError(`"diagbot ${name}" (${what}) is not in this build yet; "diagbot diagnose" works today`);
    });
  }
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is bad usage.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
    } else if (err instanceof ConfigError || err instanceof UsageError) {
      process.stderr.write(`diagbot: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`diagbot: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  }
}

await main(process.argv);
