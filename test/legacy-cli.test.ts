/**
 * `illumio-monitor config import-legacy` through the built CLI in a real
 * subprocess: exit codes, stdout/stderr, files and modes, and that no secret
 * reaches either stream. Skipped (with the reason) until the verb is mounted
 * under `config`.
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { convertLegacyConfig } from '../src/config/legacy.js';
import { repoRoot, runCli } from './helpers/cli.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'legacy');
const V1 = path.join(fixtures, 'illumio_api_config.json');
const V2 = path.join(fixtures, 'config-v2.json');
const v2 = JSON.parse(readFileSync(V2, 'utf8')) as { api: { secret: string }; smtp: { password: string }; alerts: { line_channel_access_token: string } };
const SECRETS = [v2.api.secret, v2.smtp.password, v2.alerts.line_channel_access_token];

const help = await runCli(['config', 'import-legacy', '--help']);
const skip = help.stdout.includes('import-legacy <file>') ? false : 'config import-legacy is not mounted under `config` yet';

const tempDir = () => fs.mkdtemp(path.join(os.tmpdir(), 'legacy-cli-'));

test('imports, writes 0600 files, lists every change, and prints no secret', { skip }, async () => {
  const dir = await tempDir();
  const out = path.join(dir, 'illumio-monitor.json');
  const expected = convertLegacyConfig(v2, { secretFileName: 'pce-secret' });

  const r = await runCli(['config', 'import-legacy', V2, '--out', out]);

  assert.equal(r.code, 0, r.stderr);
  for (const c of expected.changes) assert.ok(r.stdout.includes(`  ${c.path}: ${c.message}\n`), c.message);
  for (const w of expected.warnings) assert.ok(r.stdout.includes(`  ${w}\n`), w);
  for (const secret of SECRETS) {
    assert.equal(r.stdout.includes(secret), false);
    assert.equal(r.stderr.includes(secret), false);
  }

  for (const name of ['illumio-monitor.json', 'pce-secret', 'smtp-password']) {
    assert.equal((await fs.stat(path.join(dir, name))).mode & 0o777, 0o600, name);
  }
  assert.equal(await fs.readFile(path.join(dir, 'pce-secret'), 'utf8'), `${v2.api.secret}\n`);

  const validate = await runCli(['config', 'validate', '--config', out]);
  assert.equal(validate.code, 0, validate.stderr);
});

test('--json prints { ok, wrote, changes, warnings } and nothing else', { skip }, async () => {
  const dir = await tempDir();
  const out = path.join(dir, 'c.json');
  const expected = convertLegacyConfig(JSON.parse(readFileSync(V1, 'utf8')), { secretFileName: 'pce-secret' });

  const r = await runCli(['config', 'import-legacy', V1, '--out', out, '--json']);

  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), {
    ok: true,
    wrote: [out, path.join(dir, 'pce-secret')],
    changes: expected.changes,
    warnings: expected.warnings,
  });
});

test('refuses to overwrite without --force (exit 2, file unchanged), replaces with it', { skip }, async () => {
  const dir = await tempDir();
  const out = path.join(dir, 'c.json');
  await fs.writeFile(out, '{}\n', { mode: 0o600 });

  const refused = await runCli(['config', 'import-legacy', V1, '--out', out]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, new RegExp(`${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} already exists; refusing to overwrite it`));
  assert.match(refused.stderr, /Give --force to replace it/);
  assert.equal(await fs.readFile(out, 'utf8'), '{}\n');

  const forced = await runCli(['config', 'import-legacy', V1, '--out', out, '--force']);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(await fs.readFile(`${out}.bak`, 'utf8'), '{}\n');
});

test('a malformed legacy file exits 2 with the line and column, writing nothing', { skip }, async () => {
  const dir = await tempDir();
  const bad = path.join(dir, 'illumio_api_config.json');
  await fs.writeFile(bad, '{\n  "api": {"secret": "abcd-secret-1234",}\n}\n');

  const r = await runCli(['config', 'import-legacy', bad, '--out', path.join(dir, 'c.json')]);

  assert.equal(r.code, 2);
  assert.match(r.stderr, /legacy config .*illumio_api_config\.json is not valid JSON at line 2, column 40/);
  assert.equal(r.stderr.includes('abcd-secret-1234'), false);
  assert.equal(r.stdout, '');
  assert.deepEqual(await fs.readdir(dir), ['illumio_api_config.json']);
});
