/**
 * Found by a user: `run --quiet` from cron printed its summary every time,
 * and failures went to stdout. Now: results on stdout, failures on stderr,
 * and --quiet prints nothing at all when all is well.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEnv } from './helpers/run-env.js';

test('run --quiet with nothing to report prints nothing; without --quiet the summary is on stdout', async () => {
  const env = await runEnv();
  try {
    const quiet = await env.main(['run', '--quiet']);
    assert.deepEqual([quiet.code, quiet.stdout, quiet.stderr], [0, '', '']);
    const normal = await env.main(['run']);
    assert.equal(normal.code, 0);
    assert.match(normal.stdout, /^Events: 0 read/m);
    assert.equal(normal.stderr, '');
  } finally {
    await env.close();
  }
});

test('a failing run puts its failure on stderr, with or without --quiet', async () => {
  const env = await runEnv();
  try {
    await env.editConfig((cfg) => void (cfg.pce.orgId = 7));
    for (const args of [['run', '--quiet'], ['run']]) {
      const r = await env.main(args);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /^error: events: .*403/m, args.join(' '));
      assert.doesNotMatch(r.stdout, /403|error/i);
    }
  } finally {
    await env.close();
  }
});
