/**
 * importLegacy on real temp folders: the config and the secret files it
 * writes (0600), refusing to overwrite without force, and broken input.
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { MonitorError } from '../src/errors.js';
import { importLegacy } from '../src/config/legacy.js';
import { loadConfig } from '../src/config/load.js';
import { repoRoot } from './helpers/cli.js';

const fixtures = path.join(repoRoot, 'test', 'fixtures', 'legacy');
const V1 = path.join(fixtures, 'illumio_api_config.json');
const V2 = path.join(fixtures, 'config-v2.json');
const v2 = JSON.parse(readFileSync(V2, 'utf8')) as { api: { secret: string }; smtp: { password: string } };

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'legacy-import-'));
}

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

test('writes the config and both secrets to 0600 files, and the result loads', async () => {
  const dir = await tempDir();
  const out = path.join(dir, 'etc', 'illumio-monitor.json');

  const result = await importLegacy(V2, { out, force: false });

  const secretFile = path.join(dir, 'etc', 'pce-secret');
  const passwordFile = path.join(dir, 'etc', 'smtp-password');
  assert.deepEqual(result.wrote, [out, secretFile, passwordFile]);
  for (const file of result.wrote) assert.equal(await mode(file), 0o600, file);

  assert.equal(await fs.readFile(secretFile, 'utf8'), `${v2.api.secret}\n`);
  assert.equal(await fs.readFile(passwordFile, 'utf8'), `${v2.smtp.password}\n`);

  const written = await fs.readFile(out, 'utf8');
  assert.deepEqual(JSON.parse(written), result.config);
  assert.equal(written.includes(v2.api.secret), false);
  assert.equal(written.includes(v2.smtp.password), false);

  // The runtime reads the secrets back from the files beside the config.
  const loaded = await loadConfig(out, {});
  assert.equal(loaded.pce.apiSecret, v2.api.secret);
  assert.equal(loaded.email.smtp.password, v2.smtp.password);
});

test('refuses to overwrite an existing config or secret file without force, and replaces them with it', async () => {
  const dir = await tempDir();
  const out = path.join(dir, 'illumio-monitor.json');
  await fs.writeFile(out, '{"keep": true}\n', { mode: 0o600 });

  await assert.rejects(importLegacy(V1, { out, force: false }), (err) => {
    assert.ok(err instanceof MonitorError);
    assert.equal(err.code, 'TARGET_EXISTS');
    assert.equal(err.exitCode, 2);
    assert.equal(err.message, `${out} already exists; refusing to overwrite it (nothing was written)`);
    return true;
  });
  assert.equal(await fs.readFile(out, 'utf8'), '{"keep": true}\n');
  assert.deepEqual((await fs.readdir(dir)).sort(), ['illumio-monitor.json']);

  await fs.rm(out);
  await fs.writeFile(path.join(dir, 'pce-secret'), 'old\n', { mode: 0o600 });
  await assert.rejects(importLegacy(V1, { out, force: false }), /pce-secret already exists/);
  assert.deepEqual((await fs.readdir(dir)).sort(), ['pce-secret']);

  await fs.writeFile(out, '{"keep": true}\n', { mode: 0o600 });
  const result = await importLegacy(V1, { out, force: true });
  assert.deepEqual(result.wrote, [out, path.join(dir, 'pce-secret')]);
  assert.equal(JSON.parse(await fs.readFile(out, 'utf8')).pce.apiKey, 'api_17e0c4a5b9d2f3a61');
  assert.equal(await fs.readFile(`${out}.bak`, 'utf8'), '{"keep": true}\n');
  assert.notEqual(await fs.readFile(path.join(dir, 'pce-secret'), 'utf8'), 'old\n');
});

test('a dry run writes nothing', async () => {
  const dir = await tempDir();
  const result = await importLegacy(V1, { out: path.join(dir, 'c.json'), force: false, dryRun: true });

  assert.deepEqual(result.wrote, []);
  assert.equal(result.config.rules.length, 11);
  assert.deepEqual(await fs.readdir(dir), []);
});

test('malformed, missing or self-targeted legacy files are refused with exit 2 and a clear message', async () => {
  const dir = await tempDir();
  const bad = path.join(dir, 'illumio_api_config.json');
  await fs.writeFile(bad, '{\n  "api": {\n    "url": "https://pce.example.com",\n  }\n}\n');

  await assert.rejects(importLegacy(bad, { out: path.join(dir, 'new.json'), force: false }), (err) => {
    assert.ok(err instanceof MonitorError);
    assert.equal(err.code, 'LEGACY_SYNTAX');
    assert.equal(err.exitCode, 2);
    assert.equal(err.message, `legacy config ${bad} is not valid JSON at line 4, column 3`);
    return true;
  });

  await fs.writeFile(bad, '{"api": {"url": "https://pce.example.com", "key": "api_1"');
  await assert.rejects(importLegacy(bad, { out: path.join(dir, 'new.json'), force: false }), /is not valid JSON: it ends too early/);

  const missing = path.join(dir, 'nope.json');
  await assert.rejects(importLegacy(missing, { out: path.join(dir, 'new.json'), force: false }), {
    code: 'LEGACY_UNREADABLE',
    message: `legacy config ${missing} does not exist`,
  });

  await fs.copyFile(V1, bad);
  await assert.rejects(importLegacy(bad, { out: bad, force: true }), { code: 'LEGACY_SAME_FILE' });
  assert.deepEqual((await fs.readdir(dir)).sort(), ['illumio_api_config.json']);
});
