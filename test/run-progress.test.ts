/**
 * While the traffic query runs, a progress line goes to stderr, but only on
 * a terminal: cron mail and pipes get nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../src/config/load.js';
import { memoryLogger } from '../src/output.js';
import { runOnce } from '../src/run/run.js';
import { runEnv, trafficRule } from './helpers/run-env.js';

for (const tty of [true, false]) {
  test(`traffic query progress on stderr ${tty ? 'on a terminal' : 'is silent off a terminal'}`, async () => {
    const env = await runEnv({ rules: [trafficRule()] });
    try {
      env.pce.pollsUntilComplete = 3;
      const log = memoryLogger();
      await runOnce(await loadConfig(env.file, {}), { dryRun: true }, { clock: env.clock, env: {}, log, stderrIsTty: tty });
      const progress = log.lines.filter((l) => l.startsWith('traffic query '));
      if (tty) {
        assert.equal(progress[0], 'traffic query queued (0 s)');
        assert.ok(progress.some((l) => /^traffic query working \(\d+ s\)$/.test(l)), progress.join('\n'));
        assert.match(progress.at(-1)!, /^traffic query completed \(\d+ s\)$/);
      } else {
        assert.deepEqual(progress, []);
      }
    } finally {
      await env.close();
    }
  });
}
