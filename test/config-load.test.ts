/**
 * loadConfig, writeConfigFile, secretsOf and maskConfig: defaults, paths
 * relative to the config file, where secrets come from, and the refusals
 * that keep a secret private and a config intact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, maskConfig, secretsOf, writeConfigFile } from '../src/config/load.js';
import { ConfigError, MonitorError } from '../src/errors.js';
import type { ConfigFile } from '../src/types.js';

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'imon-load-'));
}

function config(pce: Record<string, unknown> = {}, smtp: Record<string, unknown> = {}): Record<string, any> {
  return {
    pce: { url: 'https://pce.example.com:8443/', orgId: 3, apiKey: 'api_1a2b3c', ...pce },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: 'mail.example.com', ...smtp } },
    rules: [],
  };
}

async function writeJson(file: string, data: unknown): Promise<void> {
  await fs.writeFile(file, JSON.stringify(data), { mode: 0o600 });
}

async function writeSecret(file: string, text: string, mode = 0o600): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  await fs.chmod(file, mode); // explicit: the umask must not decide the test
}

test('defaults fill every optional setting', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  await writeJson(file, config({ apiSecret: 'inline-secret' }));

  const cfg = await loadConfig(file, {});
  assert.deepEqual(cfg.monitor, {
    overlapMinutes: 5, firstRunLookbackMinutes: 60, eventsPageSize: 1000, maxEventsPerRun: 50000,
    trafficMaxResults: 100000, trafficQueryDeadlineSeconds: 300, retryMaxAttempts: 4, retryBudgetSeconds: 60,
    lockStaleMinutes: 30,
  });
  assert.deepEqual(cfg.pce, {
    url: 'https://pce.example.com:8443', orgId: 3, apiKey: 'api_1a2b3c', apiSecret: 'inline-secret',
    caFile: undefined, verifyTls: true, timeoutMs: 30_000,
  });
  assert.deepEqual(cfg.email, {
    from: 'monitor@example.com', to: ['soc@example.com'], subjectPrefix: '[Illumio Monitor]', language: 'en',
    timeZone: 'UTC', csvMaxRows: 1000,
    smtp: {
      host: 'mail.example.com', port: 25, secure: false, starttls: 'auto', user: undefined, password: undefined,
      caFile: undefined, verifyTls: true, ehloName: undefined,
      connectionTimeoutMs: 10_000, greetingTimeoutMs: 10_000, socketTimeoutMs: 30_000,
    },
  });
  assert.equal(cfg.file, file);
  assert.equal(cfg.stateFile, path.join(dir, 'illumio-monitor.state.json'));
  assert.equal(cfg.logDir, path.join(dir, 'logs'));
  assert.equal(cfg.logMaxBytes, 10 * 1024 * 1024);
  assert.equal(cfg.logMaxFiles, 5);
});

test('given settings win over defaults; a partial monitor block keeps the other defaults', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  await writeJson(file, { ...config({ apiSecret: 's3cr3t', timeoutSeconds: 2.5 }, { port: 587, starttls: 'required' }), monitor: { overlapMinutes: 0, eventsPageSize: 10 } });

  const cfg = await loadConfig(file, {});
  assert.equal(cfg.pce.timeoutMs, 2500);
  assert.equal(cfg.email.smtp.port, 587);
  assert.equal(cfg.email.smtp.starttls, 'required');
  assert.equal(cfg.monitor.overlapMinutes, 0);
  assert.equal(cfg.monitor.eventsPageSize, 10);
  assert.equal(cfg.monitor.lockStaleMinutes, 30);
});

test('relative paths resolve against the config folder, not the working directory', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'etc', 'c.json');
  await fs.mkdir(path.dirname(file));
  await writeSecret(path.join(dir, 'etc', 'secrets', 'pce'), 'from-file\n');
  await writeSecret(path.join(dir, 'smtp-pass'), 'smtp-from-file\r\n');
  await writeJson(file, {
    ...config({ apiSecretFile: 'secrets/pce', caFile: 'ca.pem' }, { user: 'relay', passwordFile: '../smtp-pass', caFile: '/abs/smtp-ca.pem' }),
    stateFile: 'var/state.json',
    logDir: 'var/logs',
  });

  assert.notEqual(process.cwd(), path.join(dir, 'etc'));
  const cfg = await loadConfig(file, {});
  assert.equal(cfg.pce.apiSecret, 'from-file');
  assert.equal(cfg.email.smtp.password, 'smtp-from-file');
  assert.equal(cfg.pce.caFile, path.join(dir, 'etc', 'ca.pem'));
  assert.equal(cfg.email.smtp.caFile, '/abs/smtp-ca.pem');
  assert.equal(cfg.stateFile, path.join(dir, 'etc', 'var', 'state.json'));
  assert.equal(cfg.logDir, path.join(dir, 'etc', 'var', 'logs'));
});

test('the environment wins over the secret file and the inline secret', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  // The files named here do not exist: with the environment set they are not read.
  await writeJson(file, config({ apiSecretFile: 'missing-pce' }, { user: 'u', passwordFile: 'missing-smtp' }));

  const cfg = await loadConfig(file, { ILLUMIO_API_SECRET: 'env-pce-secret', ILLUMIO_SMTP_PASSWORD: 'env-smtp-pass' });
  assert.equal(cfg.pce.apiSecret, 'env-pce-secret');
  assert.equal(cfg.email.smtp.password, 'env-smtp-pass');

  await writeJson(file, config({ apiSecret: 'inline' }, { user: 'u', password: 'inline-pass' }));
  const again = await loadConfig(file, { ILLUMIO_API_SECRET: 'env-pce-secret' });
  assert.equal(again.pce.apiSecret, 'env-pce-secret');
  assert.equal(again.email.smtp.password, 'inline-pass');
});

test('a secret file readable by group or others is refused with the chmod to run', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  const secret = path.join(dir, 'pce-secret');
  await writeSecret(secret, 'abc123secret\n', 0o640);
  await writeJson(file, config({ apiSecretFile: 'pce-secret' }));

  const err = await loadConfig(file, {}).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof MonitorError);
  assert.equal(err.code, 'SECRET_FILE_PERMISSIONS');
  assert.equal(err.exitCode, 2);
  assert.equal(err.hint, `Run: chmod 600 ${secret}`);
  assert.match(err.message, /mode 0640/);
  assert.ok(!err.message.includes('abc123secret'));

  await fs.chmod(secret, 0o600);
  assert.equal((await loadConfig(file, {})).pce.apiSecret, 'abc123secret');
});

test('no PCE secret at all names the three ways to give it', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  await writeJson(file, config());

  const err = await loadConfig(file, {}).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.equal(err.exitCode, 2);
  for (const way of ['ILLUMIO_API_SECRET', 'pce.apiSecretFile', 'pce.apiSecret']) assert.ok(err.message.includes(way), way);
});

test('placeholders left by config init are refused', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  await writeJson(file, config({ url: 'https://pce.example.invalid:8443', apiKey: 'api_REPLACE_ME', apiSecret: 'x-secret' }));

  const err = await loadConfig(file, {}).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof ConfigError);
  assert.deepEqual(err.problems.map((p) => p.path), ['/pce/url', '/pce/apiKey']);
});

test('secretsOf lists the secrets and their wire forms; maskConfig hides them', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  const data = config({ apiSecret: 'pce-secret-value' }, { user: 'relay', password: 'smtp-pass-value' });
  await writeJson(file, data);

  const secrets = secretsOf(await loadConfig(file, {}));
  assert.ok(secrets.includes('pce-secret-value'));
  assert.ok(secrets.includes(Buffer.from('api_1a2b3c:pce-secret-value').toString('base64')));
  assert.ok(secrets.includes('smtp-pass-value'));
  assert.ok(secrets.includes(Buffer.from('\u0000relay\u0000smtp-pass-value').toString('base64')));

  const masked = JSON.stringify(maskConfig(data as ConfigFile));
  assert.ok(!masked.includes('pce-secret-value') && !masked.includes('smtp-pass-value'));
  assert.equal(maskConfig(data as ConfigFile).pce.apiSecret, '***');
  assert.equal(data.pce.apiSecret, 'pce-secret-value', 'the original is not changed');
});

test('writeConfigFile writes 0600, refuses an invalid config and never replaces an unparseable file', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'c.json');
  const good = config({ apiSecretFile: 's' }) as ConfigFile;

  await writeConfigFile(file, good);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), good);

  const bad = { ...good, pce: { ...good.pce, orgId: 0 } };
  await assert.rejects(writeConfigFile(file, bad), (e: unknown) => e instanceof ConfigError && e.problems[0]?.path === '/pce/orgId');
  assert.deepEqual(JSON.parse(await fs.readFile(file, 'utf8')), good);

  const broken = '{ "pce": { broken\n';
  await fs.writeFile(file, broken);
  await assert.rejects(writeConfigFile(file, good), (e: unknown) => e instanceof ConfigError && e.code === 'CONFIG_SYNTAX');
  assert.equal(await fs.readFile(file, 'utf8'), broken);
});
