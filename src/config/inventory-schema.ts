import * as z from 'zod';

// Everything here may end up in a command line on a production host, so each value is
// held to the narrowest shape that still covers real inventories.
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ADDRESS = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*|[0-9A-Fa-f:]+(?:%[A-Za-z0-9]+)?)$/;
const USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
const SAFE_PATH = /^\/[A-Za-z0-9._/@+-]*$/;

/** A plain absolute path with no ".." segment: safe to quote into a command on a host. */
export const isSafePath = (p: string): boolean => SAFE_PATH.test(p) && !p.split('/').includes('..');
// Globs are expanded by the host's shell, so only glob metacharacters are allowed beyond SAFE_PATH.
export const SAFE_GLOB = /^\/[A-Za-z0-9._/@+*?[\]-]*$/;

export const hostNameSchema = z.string().regex(HOST_NAME, 'must be letters, digits, ".", "_" or "-" (max 63), starting with a letter or digit');

const absolutePath = (what: string) =>
  z.string().regex(SAFE_PATH, `${what} must be an absolute path of letters, digits and ._/@+- only`)
    .refine((p) => !p.split('/').includes('..'), `${what} must not contain ".."`);

const localPath = z.string().min(1).refine((p) => !p.includes('\0') && !p.includes('\n'), 'must be a plain file path');

const connectionFields = {
  user: z.string().regex(USER, 'must be a POSIX user name'),
  port: z.coerce.number().int().min(1).max(65535),
  privateKeyPath: localPath,
  knownHostsPath: localPath,
  connectTimeoutMs: z.coerce.number().int().min(100).max(120_000),
  sudo: z.boolean(),
  // Bastion-style setups: keys held by an ssh-agent (SSH_AUTH_SOCK), or an encrypted key file
  // whose passphrase comes from a file or an environment variable, never from the inventory itself.
  agent: z.boolean(),
  passphraseFile: localPath,
  passphraseEnv: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable'),
};

export const defaultsSchema = z.object(connectionFields).partial().strict();

export const hostSchema = z.object({
  address: z.string().regex(ADDRESS, 'must be a hostname or an IP address'),
  ...Object.fromEntries(Object.entries(connectionFields).map(([k, v]) => [k, v.optional()])) as {
    [K in keyof typeof connectionFields]: z.ZodOptional<(typeof connectionFields)[K]>
  },
  labels: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are identifiers'), z.string().max(256)).default({}),
  // The URL holds a password, so it may stay out of the file: "${ENV_NAME}" parts are expanded
  // from the environment, or urlFile names a file holding it (a mounted secret). Checked once
  // expanded (inventory.ts), so no message ever quotes the secret.
  postgres: z.object({
    url: z.string().min(1).max(2000).optional(),
    urlFile: localPath.optional(),
  }).strict().refine((p) => (p.url === undefined) !== (p.urlFile === undefined), 'give either url or urlFile, not both and not neither').optional(),
  deploy: z.object({
    releasesDir: absolutePath('releasesDir'),
    currentLink: absolutePath('currentLink'),
    // Optional: without it diagbot still reads the release timeline but offers no rollback.
    restartCommand: z.string().min(1).max(1000).refine((c) => !/[\n\0]/.test(c), 'must be a single line').optional(),
  }).strict().optional(),
  app: z.object({
    logPaths: z.array(z.string().regex(SAFE_GLOB, 'log paths must be absolute paths or globs of letters, digits and ._/@+-*?[] only')
      .refine((p) => !p.split('/').includes('..'), 'must not contain ".."')).min(1).max(20),
  }).strict().optional(),
}).strict();

export const inventoryFileSchema = z.object({
  defaults: defaultsSchema.default({}),
  hosts: z.record(z.string(), hostSchema),
}).strict();

export type InventoryFile = z.infer<typeof inventoryFileSchema>;
