/**
 * Found by a user: a config readable by others that held the secret itself
 * was used, while a 0640 secret file was refused. Both are refused now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/load.js';
import { MonitorError } from '../src/errors.js';

const SECRET = 'f'.repeat(64);

async function configWith(mode: number, secret: object): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-private-'));
  const file = path.join(dir, 'c.json');
  const config = {
    pce: { url: 'https://pce.example.com:8443', orgId: 1, apiKey: 'api_1a2b3c4d5e6f7a8b9', ...secret },
    email: { from: 'm@example.com', to: ['soc@example.com'], smtp: { host: 'localhost' } },
    rules: [],
  };
  await fs.writeFile(file, JSON.stringify(config), { mode });
  await fs.chmod(file, mode);
  return file;
}

test('a secret inside a config that group or others can read is refused with the chmod to run', async () => {
  const file = await configWith(0o644, { apiSecret: SECRET });
  await assert.rejects(loadConfig(file, {}), (err: unknown) => {
    assert.ok(err instanceof MonitorError);
    assert.equal(err.code, 'SECRET_IN_SHARED_CONFIG');
    assert.equal(err.exitCode, 2);
    assert.equal(err.hint?.startsWith(`Run: chmod 600 ${file}`), true);
    assert.ok(!err.message.includes(SECRET));
    return true;
  });
});

test('the same config at 0600 loads; a 0644 config without an inline secret loads', async () => {
  const privateFile = await configWith(0o600, { apiSecret: SECRET });
  assert.equal((await loadConfig(privateFile, {})).pce.apiSecret, SECRET);

  const shared = await configWith(0o644, {});
  assert.equal((await loadConfig(shared, { ILLUMIO_API_SECRET: SECRET })).pce.apiSecret, SECRET);
});

test('config validate refuses what run refuses: a secret in a config others can read', async () => {
  const { runCli } = await import('./helpers/cli.js');
  const file = await configWith(0o644, { apiSecret: SECRET });
  const r = await runCli(['config', 'validate', '--config', file]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /holds a secret and is accessible by group or others; run: chmod 600/);
  await fs.chmod(file, 0o600);
  const ok = await runCli(['config', 'validate', '--config', file]);
  assert.equal(ok.code, 0, ok.stderr);
});
