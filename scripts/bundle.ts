// Bundles the CLI so that `diagbot diagnose` is one file to read and compile, with no ESM
// resolution of hundreds of node_modules files at start-up (`npm run build` runs this after tsc):
//   dist/diagbot.mjs          main + diagnose, every library it needs inlined (the package bin)
//   dist/server/*.mjs         start|web|worker, migrate, accuracy: loaded only by those commands,
//                             Slack/BullMQ/Redis/Postgres/pino/prom-client left to node_modules
import { createRequire } from 'node:module';
import { relative, resolve } from 'node:path';
import { rmSync, writeFileSync } from 'node:fs';
import { build, type Metafile, type Plugin } from 'esbuild';

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

const common = {
  bundle: true, platform: 'node', target: 'node20', format: 'esm', banner: { js: BANNER },
  sourcemap: 'linked', metafile: true, logLevel: 'warning', legalComments: 'none', absWorkingDir: ROOT,
} as const;

/** Packages a bundle imports from node_modules at run time (static imports only). */
export function staticPackageImports(meta: Metafile, output: string): string[] {
  const out = meta.outputs[relative(ROOT, output)];
  if (!out) throw new Error(`no output ${output} in the metafile`);
  return out.imports.filter((i) => i.external && i.kind === 'import-statement' && !i.path.startsWith('node:') && !i.path.startsWith('./')).map((i) => i.path);
}

export async function bundle(): Promise<void> {
  rmSync(resolve(DIST, 'server'), { recursive: true, force: true });
  const cli = await build({
    ...common, entryPoints: { diagbot: 'src/cli/main.ts' }, outdir: DIST, outExtension: { '.js': '.mjs' },
    // cpu-features: ssh2's optional native CPU probe, required inside a try.
    external: [...SERVER_ONLY, 'cpu-features'], plugins: [serverCommands, nativeAddons, loadOnFirstUse],
  });
  // What went into the CLI's file, for `esbuild --analyze`-style questions and the bundle's test.
  writeFileSync(resolve(DIST, 'diagbot.meta.json'), JSON.stringify(cli.metafile));
  const eager = staticPackageImports(cli.metafile, resolve(DIST, 'diagbot.mjs')).filter((p) => SERVER_ONLY.includes(p));
  if (eager.length > 0) {
    throw new Error(`dist/diagbot.mjs would load ${eager.join(', ')} at start-up: import them with import() where they are used`);
  }
  await build({
    ...common, entryPoints: Object.values(SERVER_ENTRIES), outdir: resolve(DIST, 'server'), outExtension: { '.js': '.mjs' },
    entryNames: '[name]', chunkNames: 'chunks/[name]-[hash]', splitting: true, packages: 'external',
  });
}

if (import.meta.url === `file://${process.argv[1]}`) await bundle();
