/**
 * Packaging: `npm pack` gives a tarball that installs globally and runs,
 * with the man page and the JSON Schema in place. Uses the npm on PATH and
 * its cache (npm ci has filled it), so it reaches no registry when it can.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './helpers/cli.js';

const run = promisify(execFile);

test('npm pack installs globally: --help runs, man page and schema are installed', { timeout: 240_000 }, async () => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-pack-'));
  const prefix = path.join(dir, 'prefix');
  try {
    // --ignore-scripts: the build is already there; rebuilding would race other test files.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: repoRoot });
    const [info] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
    assert.ok(info);
    const files = info.files.map((f) => f.path);
    for (const needed of ['bin/illumio-monitor.js', 'build/src/cli.js', 'schema/config.schema.json', 'man/illumio-monitor.1', 'README.md']) {
      assert.ok(files.includes(needed), `${needed} is in the tarball`);
    }
    assert.ok(!files.some((f) => f.startsWith('build/test/') || f.startsWith('test/')), 'no tests in the tarball');

    const tarball = path.join(dir, info.filename);
    await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
      cwd: dir,
      env: { ...process.env, npm_config_loglevel: 'error' },
    });

    const bin = path.join(prefix, 'bin', 'illumio-monitor');
    const help = await run(bin, ['--help'], { cwd: dir, env: { ...process.env, NO_COLOR: '1' } });
    assert.match(help.stdout, /illumio-monitor run/);
    const version = await run(bin, ['--version'], { cwd: dir });
    const pkg = JSON.parse(await fs.readFile(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
    assert.equal(version.stdout.trim(), pkg.version);

    await fs.access(path.join(prefix, 'share', 'man', 'man1', 'illumio-monitor.1'));
    // The schema is read at run time: validating a config exercises it from the installed copy.
    const validate = await run(bin, ['config', 'validate', '--config', path.join(dir, 'missing.json')], { cwd: dir }).catch((e: { code: number; stderr: string }) => e);
    assert.equal((validate as { code: number }).code, 2);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
