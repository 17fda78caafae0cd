import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, SocketModeReceiver } from '@slack/bolt';
import { buildHostIndex } from '../core/alerts/match-hosts.js';
import { boltLogger } from '../log/bolt-logger.js';
import { installSlackRequestGuard } from '../web/replay-guard.js';
import { approverCheck } from '../slack/approvers.js';
import { withTimeout } from '../util/with-timeout.js';
import { registerActionButtons } from '../web/action-buttons.js';
import { registerFeedbackActions } from '../web/feedback-actions.js';
import { registerSlashDiagnose } from '../web/slash-diagnose.js';
import { webhookRoute } from '../web/webhook-route.js';
import { portHealthRoutes } from './health-server.js';
import type { ServiceContext } from './service-context.js';

export interface WebHandle { port: number; stop(): Promise<void> }

/**
 * The HTTP side: Slack events (signature-checked by Bolt), alert webhooks (bearer-checked
 * here, since Bolt does not guard custom routes), health and metrics.
 */
export async function startWeb(ctx: ServiceContext, opts: { host?: string } = {}): Promise<WebHandle> {
  const { config, log } = ctx;
  const hostIndex = buildHostIndex([...ctx.inventory.hosts.values()].filter((h) => !h.local)
    .map((h) => ({ name: h.name, address: h.address, labels: h.labels })));
  const webhookDeps = { pool: ctx.pool, queues: ctx.queues, hostIndex, token: config.WEBHOOK_TOKEN,
    alertChannel: config.ALERT_CHANNEL, log: log.child({ component: 'webhook' }), metrics: ctx.metrics };
  const customRoutes = [
    { path: '/webhooks/alertmanager', method: 'POST', handler: webhookRoute('alertmanager', webhookDeps) },
    { path: '/webhooks/grafana', method: 'POST', handler: webhookRoute('grafana', webhookDeps) },
    ...portHealthRoutes(ctx),
  ];
  const logger = boltLogger(log);
  const receiver = config.SLACK_SOCKET_MODE
    // clientOptions: apps.connections.open (which hands out the WebSocket URL) goes to SLACK_API_URL
    // too, not to slack.com regardless; with a timeout like every other Slack call.
    ? new SocketModeReceiver({ appToken: config.SLACK_APP_TOKEN!, customRoutes, logger,
      installerOptions: { port: config.PORT, clientOptions: { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}), timeout: 10_000 } } })
    : new HTTPReceiver({
      signingSecret: config.SLACK_SIGNING_SECRET, endpoints: '/slack/events', customRoutes, logger,
      // Slack retries after 3 s; answering 503 earlier for a stuck listener is clearer than silence.
      unhandledRequestTimeoutMillis: 2900, bodyLimit: 1024 * 1024,
    });
  const app = new App({
    receiver, logger,
    // A fixed token, without Bolt's auth.test: that call would otherwise run on every request
    // (or make startup depend on reaching Slack). The worker's first post shows a bad token.
    authorize: async () => ({ botToken: config.SLACK_BOT_TOKEN }),
    ignoreSelf: false,
    clientOptions: { ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}), timeout: 10_000 },
  });
  app.error(async (err) => { log.error({ err }, 'Slack listener failed'); });
  registerSlashDiagnose(app, { pool: ctx.pool, queues: ctx.queues, inventory: ctx.inventory, log: log.child({ component: 'slash' }), metrics: ctx.metrics,
    // Test-only hook (reliability tests kill the process right after an ack); unset in production.
    testPauseAfterAckMs: Number(process.env.DIAGBOT_TEST_PAUSE_AFTER_ACK_MS) || 0 });
  // Decided per press, on the server: user-group members are read from Slack (cached briefly).
  const isApprover = approverCheck(config.ACTION_APPROVERS, async (usergroup) => {
    const res = await withTimeout(app.client.usergroups.users.list({ token: config.SLACK_BOT_TOKEN, usergroup }), 5000, 'usergroups.users.list');
    return res.users ?? [];
  });
  registerActionButtons(app, { pool: ctx.pool, queues: ctx.queues, log: log.child({ component: 'actions' }), metrics: ctx.metrics, isApprover });
  registerFeedbackActions(app, { pool: ctx.pool, queues: ctx.queues, log: log.child({ component: 'feedback' }), metrics: ctx.metrics });

  let port = config.PORT;
  if (receiver instanceof HTTPReceiver) {
    // Bolt's signature check, then single use (Redis) and no future timestamps, before any listener.
    installSlackRequestGuard(receiver, { signingSecret: config.SLACK_SIGNING_SECRET, store: ctx.redis, prefix: config.QUEUE_PREFIX,
      endpoints: ['/slack/events'], bodyLimit: 1024 * 1024, log: log.child({ component: 'slack-guard' }) });
    const server = await receiver.start({ port: config.PORT, host: opts.host ?? '0.0.0.0' }) as Server;
    port = (server.address() as AddressInfo).port;
  } else {
    await app.start();
  }
  log.info({ port, socketMode: config.SLACK_SOCKET_MODE }, 'web listening');
  return { port, stop: () => app.stop().then(() => undefined) };
}
