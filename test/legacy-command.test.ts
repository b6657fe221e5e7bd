/**
 * The import-legacy verb in process: yargs parses real argv into the verb,
 * whose CommandResult (text and --json shape) is checked. The subprocess
 * tests through bin/ are in legacy-cli.test.ts.
 */
import assert from 'node:assert/strict';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import yargs from 'yargs';
import { setDispatcher, type GlobalOptions } from '../src/commands/common.js';
import { systemClock, type CommandResult, type Context } from '../src/context.js';
import { convertLegacyConfig, importLegacyCommand } from '../src/config/legacy.js';
import { memoryLogger } from '../src/output.js';
import { repoRoot } from './helpers/cli.js';

const V2 = path.join(repoRoot, 'test', 'fixtures', 'legacy', 'config-v2.json');
const legacy = JSON.parse(readFileSync(V2, 'utf8')) as { api: { secret: string }; smtp: { password: string } };

async function runVerb(argv: string[], env: Context['env'] = {}): Promise<CommandResult> {
  let result: CommandResult | undefined;
  setDispatcher({
    async run(handler, args) {
      result = await handler(args, { clock: systemClock, env, log: memoryLogger(), stderrIsTty: false });
    },
  });

  await yargs(argv)
    .option('config', { type: 'string' })
    .option('json', { type: 'boolean', default: false })
    .command(importLegacyCommand as never)
    .strict()
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  assert.ok(result, 'the verb ran');
  return result;
}

test('text output: what was written, every change with its legacy path, warnings, next step', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'legacy-verb-'));
  const out = path.join(dir, 'monitor.json');
  const expected = convertLegacyConfig(legacy, { secretFileName: 'pce-secret' });

  const result = await runVerb(['import-legacy', V2, '--out', out]);

  assert.equal(result.exitCode, 0);
  assert.deepEqual(result.text.split('\n'), [
    `Imported ${V2}.`,
    'Wrote (mode 0600):',
    `  ${out}`,
    `  ${path.join(dir, 'pce-secret')}`,
    `  ${path.join(dir, 'smtp-password')}`,
    `Changes (${expected.changes.length}), by path in the legacy file:`,
    ...expected.changes.map((c) => `  ${c.path}: ${c.message}`),
    `Warnings (${expected.warnings.length}):`,
    ...expected.warnings.map((w) => `  ${w}`),
    `Next: illumio-monitor config validate --config ${out}, then illumio-monitor test-email --config ${out}`,
  ]);
  for (const secret of [legacy.api.secret, legacy.smtp.password]) {
    assert.equal(result.text.includes(secret), false);
    assert.equal(JSON.stringify(result.json).includes(secret), false);
  }
});

test('--json shape is { ok, wrote, changes, warnings }; --out defaults to --config, then $ILLUMIO_MONITOR_CONFIG', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'legacy-verb-'));
  const expected = convertLegacyConfig(legacy, { secretFileName: 'pce-secret' });

  const viaConfig = path.join(dir, 'a', 'config.json');
  const result = await runVerb(['import-legacy', V2, '--config', viaConfig, '--json']);
  assert.deepEqual(result.json, {
    ok: true,
    wrote: [viaConfig, path.join(dir, 'a', 'pce-secret'), path.join(dir, 'a', 'smtp-password')],
    changes: expected.changes,
    warnings: expected.warnings,
  });

  const viaEnv = path.join(dir, 'b', 'config.json');
  const fromEnv = await runVerb(['import-legacy', V2], { ILLUMIO_MONITOR_CONFIG: viaEnv });
  assert.deepEqual((fromEnv.json as { wrote: string[] }).wrote[0], viaEnv);
  assert.equal((await fs.stat(viaEnv)).mode & 0o777, 0o600);
});

test('--dry-run shows the config, writes nothing and puts the config in --json', async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'legacy-verb-'));
  const out = path.join(dir, 'c.json');
  const expected = convertLegacyConfig(legacy, { secretFileName: 'pce-secret' });

  const result = await runVerb(['import-legacy', V2, '--out', out, '--dry-run']);

  assert.equal(result.text.split('\n')[0], `Dry run: nothing was written. ${V2} converts to this config for ${out}:`);
  assert.ok(result.text.includes(JSON.stringify(expected.config, null, 2)));
  assert.deepEqual((result.json as { config: unknown }).config, expected.config);
  assert.deepEqual(await fs.readdir(dir), []);
});
