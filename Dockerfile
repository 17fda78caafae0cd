# syntax=docker/dockerfile:1
#
# One image for every diagbot role:
#   docker build -t diagbot .
#   docker run --env-file .env -p 3000:3000 diagbot          # web + worker in one process (default)
#   docker run --env-file .env diagbot web                    # or scale the roles apart
#   docker run --env-file .env diagbot worker
#   docker run --env-file .env diagbot migrate
#
# Nothing secret is in the image: settings come from the environment at run time, and the
# inventory, SSH private key and known_hosts are mounted read-only (see docker-compose.yml and
# docs/deploying.md). SSH is the ssh2 npm library, so the image has no OpenSSH client.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: every dependency, then TypeScript → dist/ and the bundle ---------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` (tsc) would run before the sources are copied,
# and the optional native add-ons (ssh2's crypto binding, cpu-features) need a compiler this
# slim image does not have; ssh2 uses Node's own crypto without them.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY jobs ./jobs
COPY scripts ./scripts
# tsc, then the bundle: dist/diagbot.cjs (the CLI, one file, and its V8 code cache, valid for this
# stage's Node version: keep the runtime image on the same one), dist/diagbot.mjs (the bin that runs
# it) and dist/server/ (the bot's roles).
RUN npm run build

# ---- deps: production dependencies only, from the same lock file --------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# ---- runtime --------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    HOME=/home/node \
    PORT=3000 \
    DIAGBOT_INVENTORY=/etc/diagbot/inventory.yaml
WORKDIR /app
# package.json is needed at run time: it makes dist/ an ES module package and marks the root
# where migrations/ and commands/ are found.
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY migrations ./migrations
COPY commands ./commands
# `diagbot` on PATH for `docker exec … diagbot diagnose web-1`. /etc/diagbot holds the mounted
# inventory and known_hosts; ~/.ssh the mounted key (the inventory default ~/.ssh/diagbot).
RUN ln -s /app/dist/diagbot.mjs /usr/local/bin/diagbot \
 && mkdir -p /etc/diagbot /home/node/.ssh \
 && chown node:node /home/node/.ssh && chmod 700 /home/node/.ssh
# The image's unprivileged `node` user (uid/gid 1000), numeric so that Kubernetes'
# runAsNonRoot can verify it. The app files above stay owned by root: diagbot cannot change them.
USER 1000:1000
EXPOSE 3000
# Every role answers GET /healthz on PORT. No curl in a slim image: Node's own fetch, 4 s timeout.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop) lets running jobs finish within SHUTDOWN_TIMEOUT_MS, then exits.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/diagbot.mjs"]
CMD ["start"]
