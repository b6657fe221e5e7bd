/**
 * Found by a user: `run --dry-run` moved a corrupt state file aside although
 * it promised to change nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { runEnv } from './helpers/run-env.js';

test('a dry run on a corrupt state file with no backup fails and leaves every file as it was', async () => {
  const env = await runEnv();
  try {
    await fs.writeFile(env.stateFile, '{garbage', { mode: 0o600 });
    const before = (await fs.readdir(env.dir)).sort();
    const r = await env.main(['run', '--dry-run']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is not valid/);
    assert.deepEqual((await fs.readdir(env.dir)).sort(), before);
    assert.equal(await fs.readFile(env.stateFile, 'utf8'), '{garbage');
  } finally {
    await env.close();
  }
});

test('a dry run on a corrupt state file with a backup reads the backup and restores nothing', async () => {
  const env = await runEnv();
  try {
    await env.run();
    const good = await fs.readFile(env.stateFile, 'utf8');
    await fs.writeFile(`${env.stateFile}.bak`, good, { mode: 0o600 });
    await fs.writeFile(env.stateFile, '{garbage', { mode: 0o600 });
    const r = await env.main(['run', '--dry-run']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /this dry run reads its backup/);
    assert.equal(await fs.readFile(env.stateFile, 'utf8'), '{garbage');
  } finally {
    await env.close();
  }
});
