import type { InventoryHost } from '../config/inventory.js';
import { SAFE_GLOB } from '../config/inventory-schema.js';
import { shellQuote } from '../util/shell-quote.js';
import type { TriageCommand } from './command-set.js';

/** Does this command apply to the host at all (before anything runs)? */
export function applies(cmd: TriageCommand, host: InventoryHost): boolean {
  if (cmd.when === 'deploy') return host.deploy !== undefined;
  if (cmd.when === 'app_logs') return host.appLogGlobs.length > 0;
  if (cmd.when === 'discover') return host.appLogGlobs.length === 0;
  return true;
}

/**
 * Fills placeholders with inventory values (validated at load) or discovered paths, each
 * shell-quoted. App-log globs are the one exception: the schema restricts them to a
 * metacharacter-free alphabet plus glob characters, because the host's shell must expand them.
 */
export function renderCommand(cmd: TriageCommand, host: InventoryHost, target?: string | string[]): string {
  return cmd.run.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    switch (name) {
      case 'target':
        if (typeof target !== 'string' || /[\n\0]/.test(target)) throw new Error(`command ${cmd.id} needs a valid target`);
        return shellQuote(target);
      case 'targets':
        if (!Array.isArray(target) || target.some((t) => /[\n\0]/.test(t))) throw new Error(`command ${cmd.id} needs a list of valid targets`);
        return target.map(shellQuote).join(' ');
      case 'currentLink': return shellQuote(host.deploy?.currentLink ?? '/nonexistent');
      case 'releasesDir': return shellQuote(host.deploy?.releasesDir ?? '/nonexistent');
      // Only the programs marked {{sudo}} run privileged, so sudoers can allow exactly them.
      case 'sudo': return host.sudo ? 'sudo -n ' : '';
      case 'appLogGlobs':
        return host.appLogGlobs.map((g) => {
          if (!SAFE_GLOB.test(g)) throw new Error(`unsafe app log glob ${JSON.stringify(g)}`);
          return g;
        }).join(' ');
      default: throw new Error(`unknown placeholder ${name}`);
    }
  });
}
