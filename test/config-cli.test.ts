/**
 * `config init|set|unset|show|validate` through the built CLI in a real
 * subprocess: file modes, refusals that leave files byte-identical, secrets
 * that never reach stdout or stderr, and paths resolved against the config
 * folder whatever the working directory.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const NO_SECRETS_ENV = { ILLUMIO_API_SECRET: undefined, ILLUMIO_SMTP_PASSWORD: undefined, ILLUMIO_MONITOR_CONFIG: undefined };

async function tmpDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'imon-cli-'));
}

function cli(args: string[], options: { env?: Record<string, string | undefined>; cwd?: string } = {}) {
  return runCli(args, { ...options, env: { ...NO_SECRETS_ENV, ...options.env } });
}

function validConfig(extra: Record<string, unknown> = {}) {
  return {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_1a2b3c', apiSecretFile: 'secrets/pce' },
    email: { from: 'monitor@example.com', to: ['soc@example.com'], smtp: { host: 'localhost' } },
    rules: [],
    ...extra,
  };
}

async function writeSecret(file: string, text: string, mode = 0o600): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, text);
  await fs.chmod(file, mode);
}

test('config init writes a 0600 template; validate then lists what to fill in', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'sub', 'illumio-monitor.json');

  const init = await cli(['config', 'init', '--config', file]);
  assert.equal(init.code, 0, init.stderr);
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
  assert.match(init.stdout, /pce\.url: illumio-monitor config set pce\.url/);
  assert.match(init.stdout, /ILLUMIO_API_SECRET/);

  const check = await cli(['config', 'validate', '--config', file]);
  assert.equal(check.code, 2);
  for (const p of ['/pce/url', '/pce/apiKey', '/email/from', '/email/to', '/pce/apiSecretFile']) assert.ok(check.stderr.includes(`${p}:`), p);
});

test('config init with every flag gives a config that validates; a second init is refused', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  await writeSecret(path.join(dir, 'pce-secret'), 'the-secret\n');

  const flags = ['--pce-url', 'https://pce.corp.com:8443', '--org-id', '7', '--api-key', 'api_abc', '--api-secret-file', 'pce-secret',
    '--email-from', 'mon@corp.com', '--email-to', 'a@corp.com,b@corp.com', '--email-to', 'c@corp.com', '--smtp-host', 'relay.corp.com', '--smtp-port', '587'];
  const init = await cli(['config', 'init', ...flags], { cwd: dir });
  assert.equal(init.code, 0, init.stderr);

  const written = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.deepEqual(written.pce, { url: 'https://pce.corp.com:8443', orgId: 7, apiKey: 'api_abc', apiSecretFile: 'pce-secret' });
  assert.deepEqual(written.email, { from: 'mon@corp.com', to: ['a@corp.com', 'b@corp.com', 'c@corp.com'], smtp: { host: 'relay.corp.com', port: 587 } });
  assert.equal(written.rules.length, 10);

  const check = await cli(['config', 'validate'], { cwd: dir });
  assert.equal(check.code, 0, check.stderr);
  assert.equal(check.stdout, 'config OK: 10 rules (10 enabled)\n');

  const before = await fs.readFile(file, 'utf8');
  const again = await cli(['config', 'init'], { cwd: dir });
  assert.equal(again.code, 2);
  assert.match(again.stderr, /already exists/);
  assert.equal(await fs.readFile(file, 'utf8'), before);
});

test('relative paths resolve against the config folder when run from another directory', async () => {
  const dir = await tmpDir();
  const elsewhere = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(validConfig()), { mode: 0o600 });
  await writeSecret(path.join(dir, 'secrets', 'pce'), 'abc-secret');

  const byFlag = await cli(['config', 'validate', '--config', file], { cwd: elsewhere });
  assert.equal(byFlag.code, 0, byFlag.stderr);
  const byEnv = await cli(['config', 'validate'], { cwd: elsewhere, env: { ILLUMIO_MONITOR_CONFIG: file } });
  assert.equal(byEnv.code, 0, byEnv.stderr);

  // The secret file named in the message is the one beside the config.
  await fs.chmod(path.join(dir, 'secrets', 'pce'), 0o644);
  const loose = await cli(['config', 'validate', '--config', file], { cwd: elsewhere });
  assert.equal(loose.code, 2);
  assert.ok(loose.stderr.includes(`chmod 600 ${path.join(dir, 'secrets', 'pce')}`), loose.stderr);
});

test('the PCE secret from the environment satisfies validate without a secret file', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(validConfig()), { mode: 0o600 });

  const without = await cli(['config', 'validate', '--config', file]);
  assert.equal(without.code, 2);
  const withEnv = await cli(['config', 'validate', '--config', file], { env: { ILLUMIO_API_SECRET: 'env-secret-123' } });
  assert.equal(withEnv.code, 0, withEnv.stderr);
});

test('config show and validate never print a secret', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  const pceSecret = 'pce-SECRET-4f9a1c';
  const smtpPassword = 'smtp-PASS-8e2b7d';
  const cfg: Record<string, any> = validConfig();
  cfg.pce = { url: cfg.pce.url, orgId: 1, apiKey: 'api_1a2b3c', apiSecret: pceSecret };
  Object.assign(cfg.email.smtp, { user: 'relay', password: smtpPassword });
  await fs.writeFile(file, JSON.stringify(cfg), { mode: 0o600 });

  for (const args of [['config', 'show'], ['config', 'show', '--json'], ['config', 'validate'], ['config', 'validate', '--json', '--verbose']]) {
    const r = await cli([...args, '--config', file]);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    const all = r.stdout + r.stderr;
    assert.ok(!all.includes(pceSecret) && !all.includes(smtpPassword), `${args.join(' ')} printed a secret`);
  }

  const shown = JSON.parse((await cli(['config', 'show', '--json', '--config', file])).stdout);
  assert.equal(shown.pce.apiSecret, '***');
  assert.equal(shown.email.smtp.password, '***');
  assert.equal(shown.email.smtp.user, 'relay');
});

test('config show masks a secret under a misspelt key too', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  const cfg = validConfig();
  (cfg.pce as Record<string, unknown>).apiSecrett = 'typo-SECRET-77aa';
  await fs.writeFile(file, JSON.stringify(cfg), { mode: 0o600 });

  const r = await cli(['config', 'show', '--config', file]);
  assert.equal(r.code, 0);
  assert.ok(!(r.stdout + r.stderr).includes('typo-SECRET-77aa'));
  assert.match(r.stderr, /problem/);
});

test('config set parses by schema type, validates, and unset removes', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(validConfig()), { mode: 0o644 });

  for (const args of [['email.smtp.port', '587'], ['email.smtp.secure', 'true'], ['email.to', 'a@x.com,b@x.com', 'c@x.com'], ['monitor.overlapMinutes', '7.5']]) {
    const r = await cli(['config', 'set', ...args, '--config', file]);
    assert.equal(r.code, 0, r.stderr);
  }
  let data = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.equal(data.email.smtp.port, 587);
  assert.equal(data.email.smtp.secure, true);
  assert.deepEqual(data.email.to, ['a@x.com', 'b@x.com', 'c@x.com']);
  assert.deepEqual(data.monitor, { overlapMinutes: 7.5 });
  assert.equal((await fs.stat(file)).mode & 0o777, 0o600, 'a write makes the config private');

  const unset = await cli(['config', 'unset', 'email.smtp.secure', '--config', file]);
  assert.equal(unset.code, 0, unset.stderr);
  data = JSON.parse(await fs.readFile(file, 'utf8'));
  assert.equal('secure' in data.email.smtp, false);
});

test('config set refuses secrets, unknown keys and invalid values, leaving the file unchanged', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(file, JSON.stringify(validConfig()), { mode: 0o600 });
  const before = await fs.readFile(file, 'utf8');

  const secret = await cli(['config', 'set', 'pce.apiSecret', 'cli-secret-xyz', '--config', file]);
  assert.equal(secret.code, 2);
  assert.match(secret.stderr, /pce\.apiSecretFile/);
  assert.match(secret.stderr, /ILLUMIO_API_SECRET/);
  assert.ok(!secret.stderr.includes('cli-secret-xyz'));

  const typo = await cli(['config', 'set', 'email.smtp.prot', '25', '--config', file]);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /did you mean 'email\.smtp\.port'\?/);

  const range = await cli(['config', 'set', 'email.smtp.port', '70000', '--config', file]);
  assert.equal(range.code, 2);
  assert.match(range.stderr, /\/email\/smtp\/port: must be <= 65535/);

  const required = await cli(['config', 'unset', 'pce.url', '--config', file]);
  assert.equal(required.code, 2);
  assert.match(required.stderr, /\/pce\/url: is required/);

  assert.equal(await fs.readFile(file, 'utf8'), before);
});

test('a config that is not valid JSON is never overwritten', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  const broken = '{\n  "pce": {\n    "url": "https://pce.example.com"\n    "orgId": 1\n';
  await fs.writeFile(file, broken, { mode: 0o600 });

  const attempts = [
    ['config', 'set', 'pce.orgId', '2'],
    ['config', 'unset', 'pce.orgId'],
    ['config', 'init', '--force'],
    ['rules', 'add', '--id', 'x', '--type', 'health'],
    ['rules', 'load-defaults'],
    ['rules', 'remove', 'x'],
  ];
  for (const args of attempts) {
    const r = await cli([...args, '--config', file]);
    assert.equal(r.code, 2, args.join(' '));
    assert.match(r.stderr, /line 4, column 5/, args.join(' '));
    assert.equal(await fs.readFile(file, 'utf8'), broken, args.join(' '));
  }
});

test('config validate --json lists every problem with its path', async () => {
  const dir = await tmpDir();
  const file = path.join(dir, 'illumio-monitor.json');
  const cfg = validConfig({ logMaxFiles: 0, stateFil: 'x' });
  cfg.email.to = [];
  await fs.writeFile(file, JSON.stringify(cfg), { mode: 0o600 });

  const r = await cli(['config', 'validate', '--json', '--config', file]);
  assert.equal(r.code, 2);
  const out = JSON.parse(r.stdout);
  assert.equal(out.ok, false);
  assert.deepEqual(out.error.problems.map((p: { path: string }) => p.path), ['/email/to', '/logMaxFiles', '/stateFil']);
  assert.equal(out.error.problems[2].message, "unknown key 'stateFil' – did you mean 'stateFile'?");
});
