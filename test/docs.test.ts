/**
 * The README, the man page and the JSON Schema stay true to the code: every
 * verb and option that --help shows is documented, every config key of the
 * schema is in the README, and the man page renders without warnings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot, runCli } from './helpers/cli.js';

const exec = promisify(execFile);
const GLOBAL = new Set(['config', 'json', 'quiet', 'verbose', 'color', 'version', 'help']);

/** Every command path (e.g. ['rules', 'add']) reachable from the top-level help. */
async function commandPaths(prefix: string[] = []): Promise<{ path: string[]; help: string }[]> {
  const { stdout } = await runCli([...prefix, '--help']);
  const section = /^Commands:\n([\s\S]*?)\n\n/m.exec(stdout)?.[1] ?? '';
  const subs = [...section.matchAll(new RegExp(`^ {2}illumio-monitor ${prefix.map((p) => `${p} `).join('')}([a-z-]+)`, 'gm'))].map((m) => m[1]!);
  if (subs.length === 0) return [{ path: prefix, help: stdout }];
  const nested = await Promise.all(subs.map((s) => commandPaths([...prefix, s])));
  return nested.flat();
}

function options(help: string): string[] {
  return [...help.matchAll(/^\s+(?:-\w, )?--([a-z][a-z0-9-]*)/gm)].map((m) => m[1]!).filter((o) => !GLOBAL.has(o));
}

test('every command and option in --help is in the man page, every command in the README', async () => {
  const man = await fs.readFile(path.join(repoRoot, 'man', 'illumio-monitor.1'), 'utf8');
  const manText = man.replace(/\\-/g, '-').replace(/\\f[BIRP]/g, '');
  const readme = await fs.readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const paths = await commandPaths();
  assert.ok(paths.length >= 15, `found ${paths.length} commands`);

  for (const { path: cmd, help } of paths) {
    const name = cmd.join(' ');
    assert.ok(readme.includes(`illumio-monitor ${name}`), `README shows "illumio-monitor ${name}"`);
    assert.ok(manText.includes(name), `man page has ${name}`);
    for (const option of options(help)) {
      // A boolean that defaults to true is documented by its negation (--no-install).
      const documented = manText.includes(`--${option}`) || manText.includes(`--no-${option}`);
      assert.ok(documented, `man page documents ${name} --${option}`);
    }
  }
});

test('every config key of the JSON Schema is in the README', async () => {
  const schema = JSON.parse(await fs.readFile(path.join(repoRoot, 'schema', 'config.schema.json'), 'utf8')) as object;
  const readme = await fs.readFile(path.join(repoRoot, 'README.md'), 'utf8');
  const keys = new Set<string>();
  const walk = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const props = (node as { properties?: Record<string, unknown> }).properties;
    if (props) for (const k of Object.keys(props)) keys.add(k);
    for (const v of Object.values(node)) walk(v);
  };
  walk(schema);
  const missing = [...keys].filter((k) => !readme.includes(k));
  assert.deepEqual(missing, []);
});

test('the man page renders without warnings', async (t) => {
  const groff = await exec('sh', ['-c', 'command -v groff']).catch(() => undefined);
  if (!groff) return t.skip('groff is not installed (.ci/run installs groff-base)');
  const { stderr } = await exec('groff', ['-man', '-Tutf8', '-ww', '-z', path.join(repoRoot, 'man', 'illumio-monitor.1')]);
  assert.equal(stderr, '');
});
