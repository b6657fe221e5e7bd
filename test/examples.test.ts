/**
 * The files in examples/ work as shipped: the common-rules script adds its
 * rules through the real CLI, and the annotated config validates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { binPath, repoRoot, runCli } from './helpers/cli.js';

const exec = promisify(execFile);

test('examples/common-rules.sh adds its rules, each validated, and a second run changes nothing', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-examples-'));
  const config = path.join(dir, 'config.json');
  await fs.writeFile(path.join(dir, 'pce-secret'), 'a'.repeat(64), { mode: 0o600 });
  const init = await runCli(['config', 'init', '--config', config, '--pce-url', 'https://pce.example.com:8443', '--org-id', '1',
    '--api-key', 'api_1a2b3c4d5e6f7a8b9', '--api-secret-file', 'pce-secret', '--email-from', 'm@example.com',
    '--email-to', 'soc@example.com', '--smtp-host', 'localhost']);
  assert.equal(init.code, 0, init.stderr);

  const script = path.join(repoRoot, 'examples', 'common-rules.sh');
  const env = { ...process.env, IMON: `${process.execPath} ${binPath}`, NO_COLOR: '1' };
  const added = (await fs.readFile(script, 'utf8')).match(/rules add --id ([a-z0-9-]+)/g)!.map((m) => m.split(' ').pop()!);
  assert.equal(added.length, 9);

  await exec('sh', [script, '--config', config], { env });
  const list = await runCli(['rules', 'list', '--json', '--config', config]);
  const ids = (JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id);
  for (const id of added) assert.ok(ids.includes(id), `${id} was added`);

  const before = await fs.readFile(config, 'utf8');
  const again = await exec('sh', [script, '--config', config], { env }).catch((e: { stderr: string }) => e);
  assert.match(again.stderr, /rule id 'blocked-rdp' already exists; nothing was changed/);
  assert.equal(await fs.readFile(config, 'utf8'), before);

  const validate = await runCli(['config', 'validate', '--config', config]);
  assert.equal(validate.code, 0, validate.stderr);
});
