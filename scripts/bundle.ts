// Bundles the CLI so that `diagbot diagnose` is one file to read and compile, with no ESM
// resolution of hundreds of node_modules files at start-up (`npm run build` runs this after tsc):
//   dist/diagbot.mjs          the package bin: runs diagbot.cjs from its code cache (src/cli/launcher.ts)
//   dist/diagbot.cjs          main + diagnose, every library it needs inlined, a CommonJS script
//   dist/diagbot.cjs.cache    V8's code cache of it, made by running it once here
//   dist/server/*.mjs         start|web|worker, migrate, accuracy: loaded only by those commands,
//                             Slack/BullMQ/Redis/Postgres/pino/prom-client left to node_modules
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { relative, resolve } from 'node:path';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { build, type Metafile, type Plugin } from 'esbuild';
import { commandSetDigest, parseCommandSet, type PrebuiltCommandSet } from '../src/triage/command-set.js';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = resolve(ROOT, 'dist');

/** Loaded from node_modules when (and only when) a command that needs them runs. */
export const SERVER_ONLY = ['@slack/bolt', '@slack/web-api', 'bullmq', 'ioredis', 'pino', 'prom-client', 'node-pg-migrate'];
/**
 * Used by diagnose only inside functions (a host's Postgres pool probe), but imported statically
 * (src/triage/host-postgres.ts): an ES import of it would load it, and pg's first look at
 * `navigator` loads Node's fetch, before the first SSH packet (~80 ms). In the CLI's file its
 * default export is a stand-in that requires the package on first use.
 */
const LOAD_ON_FIRST_USE = ['pg'];

/** The commands main.ts imports dynamically, and where their bundles land under dist/server/. */
const SERVER_ENTRIES: Record<string, string> = {
  '../service/run-service.js': 'src/service/run-service.ts',
  '../service/run-migrate.js': 'src/service/run-migrate.ts',
  './accuracy-command.js': 'src/cli/accuracy-command.ts',
};
const serverOut = (source: string) => `./server/${source.split('/').pop()!.replace(/\.ts$/, '.mjs')}`;

// CommonJS libraries inlined into an ES module still call require() and read __dirname.
const BANNER = [
  "import { createRequire as __diagbotRequire } from 'node:module';",
  "import { dirname as __diagbotDirname } from 'node:path';",
  "import { fileURLToPath as __diagbotPath } from 'node:url';",
  'const require = __diagbotRequire(import.meta.url);',
  'const __filename = __diagbotPath(import.meta.url);',
  'const __dirname = __diagbotDirname(__filename);',
].join('\n');

/** The server commands become imports of their own bundles, so nothing of them is in the CLI's file. */
const serverCommands: Plugin = {
  name: 'server-commands',
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const source = args.kind === 'dynamic-import' && args.importer.endsWith('src/cli/main.ts') ? SERVER_ENTRIES[args.path] : undefined;
      return source ? { path: serverOut(source), external: true } : undefined;
    });
  },
};

/**
 * Optional native add-ons (ssh2's crypto binding) stay files in node_modules, required by package
 * path at run time; without them ssh2 uses Node's own crypto, as in the Docker image.
 */
const nativeAddons: Plugin = {
  name: 'native-addons',
  setup(b) {
    b.onResolve({ filter: /\.node$/ }, (args) => {
      let file: string;
      try { file = createRequire(args.importer).resolve(args.path); } catch { return { path: args.path, external: true }; }
      return { path: file.slice(file.lastIndexOf('node_modules/') + 'node_modules/'.length), external: true };
    });
  },
};

const loadOnFirstUse: Plugin = {
  name: 'load-on-first-use',
  setup(b) {
    const filter = new RegExp(`^(${LOAD_ON_FIRST_USE.join('|')})$`);
    // The stand-in's own require() is the real package, left to node_modules.
    b.onResolve({ filter }, (args) => args.namespace === 'load-on-first-use'
      ? { path: args.path, external: true } : { path: args.path, namespace: 'load-on-first-use' });
    // Only a default export: a named import of these fails the build instead of loading eagerly.
    b.onLoad({ filter: /.*/, namespace: 'load-on-first-use' }, (args) => ({
      loader: 'js', resolveDir: ROOT,
      contents: `let real;
const load = () => (real ??= require(${JSON.stringify(args.path)}));
export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });`,
    }));
  },
};

/**
 * ssh2's index also loads its server, HTTP(S) agents and key generator, and with them Node's http,
 * https and tls, before the first SSH packet. The CLI's file gets only what node-ssh (`Client`)
 * and src/transport/ssh-auth.ts (`utils.parseKey`) use of it; anything else is undefined there,
 * which the bundle's lab test would show.
 */
const ssh2ClientOnly: Plugin = {
  name: 'ssh2-client-only',
  setup(b) {
    b.onResolve({ filter: /^ssh2$/ }, (args) => ({ path: args.path, namespace: 'ssh2-client-only' }));
    b.onLoad({ filter: /.*/, namespace: 'ssh2-client-only' }, () => ({
      loader: 'js', resolveDir: ROOT,
      contents: `module.exports = { Client: require('ssh2/lib/client.js'), utils: { parseKey: require('ssh2/lib/protocol/keyParser.js').parseKey } };`,
    }));
  },
};

const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'esm', banner: { js: BANNER },
  sourcemap: 'linked', metafile: true, logLevel: 'warning', legalComments: 'none', absWorkingDir: ROOT,
} as const;

/** commands/triage.yaml as validated now, for src/triage/command-set.ts in the CLI's file. */
function prebuiltCommandSet(): string {
  const text = readFileSync(resolve(ROOT, 'commands/triage.yaml'), 'utf8');
  const set: PrebuiltCommandSet = { sha256: commandSetDigest(text), commands: parseCommandSet(text, 'commands/triage.yaml') };
  return JSON.stringify(set);
}

/** The CLI's bundle is a CommonJS script (vm.Script can take a code cache, an ES module cannot on Node 20). */
const cliScript = {
  ...common, format: 'cjs' as const, charset: 'ascii' as const,
  // Strict as the ES modules it is made of: the directive must come before the banner's statement.
  // __dimp: the launcher's import(), which a vm.Script run from a code cache has not got (see
  // rewriteServerImports); run as a plain CommonJS file, the bundle's own import() does.
  banner: { js: "'use strict';\nconst __diagbotMetaUrl = require('node:url').pathToFileURL(__filename).href;\n"
    + "const __dimp = typeof __diagbotImport === 'function' ? __diagbotImport : (p) => import(p);" },
  define: { 'import.meta.url': '__diagbotMetaUrl', __DIAGBOT_COMMAND_SET__: prebuiltCommandSet() },
};

/**
 * The server commands' import() calls become __dimp() calls, the same length so the source map
 * still holds: Node 20 drops a vm.Script's import() callback when the script comes from a code
 * cache (ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING), so the launcher passes its own import().
 */
function rewriteServerImports(file: string): void {
  const code = readFileSync(file, 'latin1');
  const calls = code.match(/\bimport\("\.\/server\/[^"]+"\)/g) ?? [];
  const expected = Object.keys(SERVER_ENTRIES).length;
  if (new Set(calls).size !== expected) throw new Error(`${file}: expected import() of ${expected} server commands, found ${calls.join(', ') || 'none'}`);
  const rewritten = code.replace(/\bimport\("\.\/server\//g, '__dimp("./server/');
  if (/\bimport\(/.test(rewritten.replace(/\(p\) => import\(p\)/, ''))) throw new Error(`${file}: an import() is left that the launcher cannot serve`);
  writeFileSync(file, rewritten, 'latin1');
}

/** Packages a bundle imports from node_modules at run time (static imports only). */
export function staticPackageImports(meta: Metafile, output: string): string[] {
  const out = meta.outputs[relative(ROOT, output)];
  if (!out) throw new Error(`no output ${output} in the metafile`);
  return out.imports.filter((i) => i.external && i.kind === 'import-statement' && !i.path.startsWith('node:') && !i.path.startsWith('./')).map((i) => i.path);
}

export async function bundle(): Promise<void> {
  rmSync(resolve(DIST, 'server'), { recursive: true, force: true });
  const cli = await build({
    ...cliScript, entryPoints: { diagbot: 'src/cli/main.ts' }, outdir: DIST, outExtension: { '.js': '.cjs' },
    // cpu-features: ssh2's optional native CPU probe, required inside a try.
    external: [...SERVER_ONLY, 'cpu-features'], plugins: [serverCommands, nativeAddons, loadOnFirstUse, ssh2ClientOnly],
  });
  // What went into the CLI's file, for `esbuild --analyze`-style questions and the bundle's test.
  writeFileSync(resolve(DIST, 'diagbot.meta.json'), JSON.stringify(cli.metafile));
  const eager = staticPackageImports(cli.metafile, resolve(DIST, 'diagbot.cjs')).filter((p) => SERVER_ONLY.includes(p));
  if (eager.length > 0) {
    throw new Error(`dist/diagbot.cjs would load ${eager.join(', ')} at start-up: import them with import() where they are used`);
  }
  rewriteServerImports(resolve(DIST, 'diagbot.cjs'));
  await build({ ...common, entryPoints: { diagbot: 'src/cli/launcher.ts' }, outdir: DIST, outExtension: { '.js': '.mjs' }, sourcemap: false, metafile: false });
  await build({
    ...common, entryPoints: Object.values(SERVER_ENTRIES), outdir: resolve(DIST, 'server'), outExtension: { '.js': '.mjs' },
    entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]', splitting: true, packages: 'external',
  });
}

/**
 * Runs the built CLI once, as a user would, so that V8's cache of the bundle holds what a diagnosis
 * compiles before it reaches a host: a host on loopback whose "sshd" hangs up at once.
 */
export async function writeCodeCache(): Promise<void> {
  const server = createServer((socket) => socket.destroy());
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const dir = mkdtempSync(resolve(tmpdir(), 'diagbot-cache-'));
  const cache = resolve(DIST, 'diagbot.cjs.cache');
  // An earlier build's cache must not pass for this one's if this run writes none.
  rmSync(cache, { force: true });
  try {
    const port = (server.address() as { port: number }).port;
    const inventory = resolve(dir, 'inventory.yaml');
    writeFileSync(resolve(dir, 'key'), '');
    writeFileSync(resolve(dir, 'known_hosts'), '');
    writeFileSync(inventory, `hosts:\n  warm: { address: 127.0.0.1, port: ${port}, user: warm, privateKeyPath: ${dir}/key, knownHostsPath: ${dir}/known_hosts }\n`);
    const run = spawnSync(process.execPath, [resolve(DIST, 'diagbot.mjs'), 'diagnose', '--inventory', inventory, '--format', 'json', 'warm'],
      { env: { ...process.env, DIAGBOT_WRITE_CODE_CACHE: '1' }, encoding: 'utf8', timeout: 30_000 });
    if (!existsSync(cache) || !run.stdout.includes('"reachable": false')) {
      throw new Error(`making the code cache: the CLI exited ${run.status}: ${run.stderr}${run.stdout}`);
    }
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await bundle();
  await writeCodeCache();
}
