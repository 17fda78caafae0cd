import { describe, expect, it } from 'vitest';
import { clipLine, excerptLines, MAX_LINE_CHARS } from '../../../src/core/excerpt.js';
import { redact } from '../../../src/core/redact.js';

// Secret formats an app's logs really contain, each with what a reader must still see: the key
// name, the scheme, the user, the vendor prefix. All values are fake.
const FORMATS: Array<[format: string, input: string, expected: string]> = [
  ['AWS access key id', 'denied for AKIAQ3EGRZLK7XPLEAKY', 'denied for AKIA****'],
  ['AWS secret key', 'aws_secret_access_key=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', 'aws_secret_access_key=****'],
  ['AWS secret key (JSON credentials)', '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYLEAKYSECRT"}', '{"SecretAccessKey": "****"}'],
  ['AWS session token', 'AWS_SESSION_TOKEN=FwoGZXIvYXdzEBYaDLeakySessionToken9x8c7', 'AWS_SESSION_TOKEN=****'],
  ['AWS presigned URL', 'GET /b?X-Amz-Credential=AKIAQ3EGRZLK7XPLEAKY%2F20261121%2Fs3&X-Amz-Signature=0123456789abcdef0123456789abcdef',
    'GET /b?X-Amz-Credential=AKIA****%2F20261121%2Fs3&X-Amz-Signature=****'],
  ['GitHub classic PAT', 'with ghp_LeakyGithubClassic0123456789abcdefXYZ', 'with ghp_****'],
  ['GitHub fine-grained PAT', 'token github_pat_11LEAKY0_abcdefghijklmnopqrstuvwxyz0123456789', 'token github_pat_****'],
  ['GitLab PAT', 'clone using glpat-LeakyGitlab0123456789', 'clone using glpat-****'],
  ['GitLab runner token', 'register glrt-LeakyRunnerToken012345', 'register glrt-****'],
  ['Slack bot token', 'client xoxb-2718281828-3141592653-LeakyBotTokenAbCdEf', 'client xox?-****'],
  ['Slack app token', 'socket xapp-1-A0LEAKY01-2718281828459-0123456789abcdef', 'socket xapp-1-****'],
  ['Slack webhook URL', 'notify https://hooks.slack.com/services/T0LEAKY01/B0LEAKY02/LeakyWebhookSecret0123', 'notify https://hooks.slack.com/services/****'],
  ['Stripe secret key', 'key sk_live_LeakyStripeLive0123456789abcd', 'key sk_live_****'],
  ['Stripe restricted key', 'key rk_test_LeakyStripeRestricted0123456789', 'key rk_test_****'],
  ['Stripe webhook secret', 'with whsec_LeakyStripeWebhook0123456789abcdef', 'with whsec_****'],
  ['Twilio API key', 'sms via SK0123456789abcdef0123456789abcdef failed', 'sms via SK**** failed'],
  ['Twilio auth token in URL', 'POST https://AC0123456789abcdef0123456789abcdef:TwilioAuth0123456789abcd@api.twilio.com/x',
    'POST https://AC0123456789abcdef0123456789abcdef:****@api.twilio.com/x'],
  ['SendGrid key', 'mail via SG.LeakySendgrid0123456789.LeakySendgridSecretPart0123456789abcdefghijk', 'mail via SG.****'],
  ['Google API key', 'geocode AIzaSyLeakyGoogleApiKey0123456789abcdefgh', 'geocode AIza****'],
  ['Google OAuth client secret', 'client GOCSPX-LeakyGoogleOauthSecret01234', 'client GOCSPX-****'],
  ['Google OAuth access token', 'upload ya29.LeakyGoogleAccessToken0123456789abcdefghij', 'upload ya29.****'],
  ['JWT', 'session eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFreSJ9.LeakyJwtSignature0123456789', 'session ****'],
  ['PEM RSA key', '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAleakyRsaKeyBody\n-----END RSA PRIVATE KEY-----',
    '-----BEGIN RSA PRIVATE KEY----- **** -----END RSA PRIVATE KEY-----'],
  ['PEM EC key', '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIleakyEcKeyBody\n-----END EC PRIVATE KEY-----',
    '-----BEGIN EC PRIVATE KEY----- **** -----END EC PRIVATE KEY-----'],
  ['PEM OpenSSH key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEleaky\n-----END OPENSSH PRIVATE KEY-----',
    '-----BEGIN OPENSSH PRIVATE KEY----- **** -----END OPENSSH PRIVATE KEY-----'],
  ['PEM key in a JSON field', '{"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADleaky\\n-----END PRIVATE KEY-----\\n"}',
    '{"private_key": "-----BEGIN PRIVATE KEY----- **** -----END PRIVATE KEY-----\\n"}'],
  ['postgres URL', 'connect postgres://shop_app:PgLeakyPw0rd42@db-1:5432/shop', 'connect postgres://shop_app:****@db-1:5432/shop'],
  ['mysql URL', 'mysql://root:MyLeakyRootPw77@mysql-1:3306/orders', 'mysql://root:****@mysql-1:3306/orders'],
  ['redis URL without user', 'redis://:RedisLeakyPw55@cache-1:6379/0', 'redis://:****@cache-1:6379/0'],
  ['amqp URL', 'amqps://orders:AmqpLeakyPw91@mq-1:5671/vhost', 'amqps://orders:****@mq-1:5671/vhost'],
  ['mongodb+srv URL', 'mongodb+srv://reporting:MongoLeakyPw63@cluster0.mongodb.net/?w=1', 'mongodb+srv://reporting:****@cluster0.mongodb.net/?w=1'],
  ['Basic auth header', 'Authorization: Basic c2hvcDpCYXNpY0xlYWt5UHcxMg==', 'Authorization: Basic ****'],
  ['Bearer auth header', 'authorization: Bearer LeakyBearerToken0123456789abcdef', 'authorization: Bearer ****'],
  ['token auth header', 'Authorization: token LeakyTokenScheme0123456789', 'Authorization: token ****'],
  ['password=', 'login failed user=shop password=LeakyPlainPw!2026 attempt=3', 'login failed user=shop password=**** attempt=3'],
  ['"secret": "…"', '{"client": "shop", "secret": "LeakyJsonSecretValue123"}', '{"client": "shop", "secret": "****"}'],
  ['api_key: in YAML', '  api_key: LeakyYamlApiKey456789', '  api_key: ****'],
  ['Cookie header', 'Cookie: sessionid=LeakySessionId0123456789; csrftoken=LeakyCsrf0123456789', 'Cookie: sessionid=****; csrftoken=****'],
  ['Set-Cookie header', 'Set-Cookie: connect.sid=s%3ALeakyConnectSid0123.abc; Path=/; HttpOnly', 'Set-Cookie: connect.sid=****; Path=/; HttpOnly'],
  ['cookie in a header dump', '{"accept":"*/*","cookie":"sessionid=LeakySessionId0123; theme=dark"}', '{"accept":"*/*","cookie":"sessionid=****; theme=****"}'],
  ['session id', 'lookup failed JSESSIONID=LeakyJsessionId0123456789ABCDEF', 'lookup failed JSESSIONID=****'],
  ['npm token', 'publish with npm_LeakyNpmToken0123456789abcdefghijklmn', 'publish with npm_****'],
  ['.npmrc auth token', '//registry.npmjs.org/:_authToken=LeakyNpmrcAuth0123456789', '//registry.npmjs.org/:_authToken=****'],
  ['Azure connection string', 'DefaultEndpointsProtocol=https;AccountName=leaky;AccountKey=LeakyAzureKey0123456789abcdef==;EndpointSuffix=core.windows.net',
    'DefaultEndpointsProtocol=https;AccountName=leaky;AccountKey=****;EndpointSuffix=core.windows.net'],
  ['Azure SAS signature', 'GET https://x.blob.core.windows.net/c/x?sv=2022-11-02&sp=r&sig=LeakyAzureSasSig0123456789abcdef%3D',
    'GET https://x.blob.core.windows.net/c/x?sv=2022-11-02&sp=r&sig=****'],
  ['private key passphrase', 'ssh-add failed: passphrase=LeakyKeyPassphrase2026', 'ssh-add failed: passphrase=****'],
  ['OpenAI key', 'call with sk-proj-LeakyOpenAiKey0123456789abcdefABCDEF', 'call with sk-proj-****'],
  ['Anthropic key', 'call with sk-ant-api03-LeakyAnthropicKey0123456789abc', 'call with sk-ant-api03-****'],
  ['Vault token', 'vault read with hvs.LeakyVaultToken0123456789abcdefgh', 'vault read with hvs.****'],
  ['DB_PASS env var', 'env DB_PASS=LeakyDbPass0987 DB_USER=shop', 'env DB_PASS=**** DB_USER=shop'],
  ['password as a CLI argument', 'exec: mysqldump -u root --password LeakyCliPw1234 orders', 'exec: mysqldump -u root --password **** orders'],
  ['X-Api-Key header', 'X-Api-Key: LeakyXApiKey0123456789', 'X-Api-Key: ****'],
  ['Docker registry auth', '{"auths": {"r.example": {"auth": "ZG9ja2VyOkxlYWt5RG9ja2VyUHc="}}}', '{"auths": {"r.example": {"auth": "****"}}}'],
  ['DigitalOcean token', 'doctl with dop_v1_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'doctl with dop_v1_****'],
  ['Hugging Face token', 'pull with hf_LeakyHuggingFaceToken0123456789ab', 'pull with hf_****'],
  ['Shopify token', 'admin shpat_0123456789abcdef0123456789abcdef', 'admin shpat_****'],
  ['query-string token', 'GET /api/x?api_key=LeakyQueryApiKey01&access_token=LeakyQueryToken01 HTTP/1.1', 'GET /api/x?api_key=****&access_token=**** HTTP/1.1'],
];

describe('redact: secret formats', () => {
  it(`knows ${FORMATS.length} formats`, () => {
    expect(FORMATS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(FORMATS)('%s', (_format, input, expected) => {
    expect(redact(input)).toBe(expected);
    expect(redact(expected)).toBe(expected);
  });

  it('leaves lines that only look like secrets alone', () => {
    const ordinary = [
      'GET /api/products?page=2&sort=price HTTP/1.1 200',
      'worker process 4242 exited on signal 11',
      'bypass=true skip-cache=1',
      'OAuth flow started for user alice',
      'the task-scheduler-for-nightly-reports finished',
      'Authorization header missing',
      'risk-assessment-quarterly-report-2026 generated',
      'connect ECONNREFUSED 127.0.10.99:9999',
      'SELECT state, count(*) FROM pg_stat_activity GROUP BY state',
    ];
    for (const line of ordinary) expect(redact(line)).toBe(line);
  });
});

describe('redact with clipping and line-by-line passes', () => {
  it('masks a password whose URL straddles the clip column, before clipping', () => {
    const line = `${'x'.repeat(MAX_LINE_CHARS - 25)} postgres://report:StraddlePw0123456789@reports-db:5432/reports`;
    const clipped = clipLine(line);
    expect(clipped).not.toContain('StraddlePw');
    expect(clipped.length).toBeLessThanOrEqual(MAX_LINE_CHARS + 1);
    expect(clipped).toContain('postgres://report:****@');
  });

  it('masks a PEM body when its lines were redacted one by one first and joined afterwards', () => {
    const lines = ['Error: tls setup failed', '-----BEGIN EC PRIVATE KEY-----', 'MHcCAQEEIleakyEcKeyBodyCCCCCCCCCCCCCCCCCCCC',
      'leakyEcKeyBodyDDDDDDDDDDDDDDDDDDDDDDDDDDDDDD', '-----END EC PRIVATE KEY-----', '    at tls (x.js:1:2)'];
    const perLine = lines.map(clipLine);
    expect(perLine[1]).toBe('-----BEGIN EC PRIVATE KEY----- ****');
    const joined = redact(perLine.join('\n'));
    expect(joined).not.toMatch(/leakyEcKeyBody/);
    expect(joined).toContain('Error: tls setup failed');
    expect(joined).toContain('at tls (x.js:1:2)');
    expect(excerptLines(lines)).not.toMatch(/leakyEcKeyBody/);
  });

  it('masks only the key body after a cut-off BEGIN line, not what follows it', () => {
    const cut = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAleakyRsaKeyBody0123\n…\n    at load (x.js:3:4)';
    expect(redact(cut)).toBe('-----BEGIN RSA PRIVATE KEY----- ****\n…\n    at load (x.js:3:4)');
  });
});
