import { Command, CommanderError, Option } from 'commander';
import { isOperatorError } from '../config/config-error.js';
import { withDotEnv } from './dot-env.js';
import { EXIT_USAGE } from './exit-codes.js';

// Every command's module is imported when that command runs, so `diagbot diagnose` never loads
// Slack, BullMQ, Redis or pino, and `--help` loads none of them (the bundle is scripts/bundle.ts).

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
      process.exitCode = await (await import('./diagnose-command.js')).runDiagnose(hosts, opts);
    });
  program.command('accuracy')
    .description('how often each root cause was confirmed or corrected in Slack (reads DATABASE_URL)')
    .option('-s, --since <period>', 'period to report: 30d, 12h, 90m or a date', '30d')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (opts: { since: string; format: string }) => {
      process.exitCode = await (await import('./accuracy-command.js')).runAccuracy(opts, withDotEnv());
    });
  program.command('start').description('run the Slack bot: web (Slack events, webhooks) and worker in one process')
    .action(async () => (await import('../service/run-service.js')).runService('start', withDotEnv()));
  program.command('web').description('run only the HTTP side (Slack events, webhooks, health, metrics)')
    .action(async () => (await import('../service/run-service.js')).runService('web', withDotEnv()));
  program.command('worker').description('run only the queue worker (diagnoses, Slack posts)')
    .action(async () => (await import('../service/run-service.js')).runService('worker', withDotEnv()));
  program.command('migrate').description('apply database migrations to DATABASE_URL')
    .action(async () => (await import('../service/run-migrate.js')).runMigrate(withDotEnv()));
  return program;
}

async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is bad usage.
      process.exitCode = err.exitCode === 0 ? 0 : EXIT_USAGE;
    } else if (isOperatorError(err)) {
      process.stderr.write(`diagbot: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`diagbot: unexpected error: ${(err as Error).stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  }
}

// Not a top-level await: the bundle is a CommonJS script (src/cli/launcher.ts).
void main(process.argv);
