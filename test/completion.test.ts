/**
 * `completion`: the bash script is valid bash and, sourced into a real bash
 * with the built CLI on PATH, completes verbs and subcommands; the zsh
 * script is chosen by --shell or $SHELL and checked with zsh -n where zsh
 * is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { binPath, runCli } from './helpers/cli.js';

const hasZsh = spawnSync('zsh', ['-c', 'true']).status === 0;

/** Run bash with the script sourced and a completion request for `words` (the last one being typed). */
async function complete(script: string, words: string[]): Promise<string[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-completion-'));
  await fs.symlink(binPath, path.join(dir, 'illumio-monitor'));
  await fs.writeFile(path.join(dir, 'completion.bash'), script);
  const quoted = words.map((w) => `'${w}'`).join(' ');
  const program = [
    `source ${dir}/completion.bash`,
    `COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}`,
    '_illumio_monitor_completions',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const out = execFileSync('bash', ['-c', program], { env: { ...process.env, PATH: `${dir}:${process.env.PATH}` }, encoding: 'utf8' });
  await fs.rm(dir, { recursive: true, force: true });
  return out.split('\n').filter(Boolean);
}

test('completion --shell bash: valid bash that registers the completion function', async () => {
  const r = await runCli(['completion', '--shell', 'bash']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('complete -o bashdefault -o default -F _illumio_monitor_completions illumio-monitor'));
  const check = spawnSync('bash', ['-n'], { input: r.stdout });
  assert.equal(check.status, 0, check.stderr.toString());
});

test('the bash script completes verbs, subcommands and options through the CLI', async () => {
  const { stdout: script } = await runCli(['completion', '--shell', 'bash']);

  assert.deepEqual(await complete(script, ['illumio-monitor', 'r']), ['run', 'rules']);
  assert.deepEqual(await complete(script, ['illumio-monitor', 'do']), ['doctor']);
  assert.deepEqual(await complete(script, ['illumio-monitor', 'rules', '']), ['list', 'add', 'remove', 'enable', 'disable', 'load-defaults', 'test']);
  assert.deepEqual(await complete(script, ['illumio-monitor', 'run', '--save-']), ['--save-email', '--save-records']);
});

test('every verb is offered at the top level', async () => {
  const { stdout: script } = await runCli(['completion'], { env: { SHELL: '/bin/bash' } });
  const verbs = await complete(script, ['illumio-monitor', '']);
  for (const v of ['run', 'rules', 'test-email', 'setup-postfix', 'state', 'config', 'doctor', 'completion']) {
    assert.ok(verbs.includes(v), `${v} in ${verbs.join(' ')}`);
  }
});

test('zsh: chosen by --shell zsh or by SHELL=/bin/zsh; --shell wins over SHELL', async () => {
  const byFlag = await runCli(['completion', '--shell', 'zsh'], { env: { SHELL: '/bin/bash' } });
  const byEnv = await runCli(['completion'], { env: { SHELL: '/usr/bin/zsh' } });
  const bash = await runCli(['completion', '--shell', 'bash'], { env: { SHELL: '/usr/bin/zsh' } });

  assert.equal(byFlag.code, 0, byFlag.stderr);
  assert.equal(byFlag.stdout, byEnv.stdout);
  assert.ok(byFlag.stdout.startsWith('#compdef illumio-monitor\n'));
  assert.ok(byFlag.stdout.includes('compdef _illumio_monitor_completions illumio-monitor'));
  assert.ok(bash.stdout.includes('complete -o bashdefault'), 'an explicit --shell bash is not overridden by SHELL');
});

test('zsh: the script parses with zsh -n and registers with compinit', { skip: hasZsh ? false : 'zsh is not installed here' }, async () => {
  const r = await runCli(['completion', '--shell', 'zsh']);
  const check = spawnSync('zsh', ['-n'], { input: r.stdout });
  assert.equal(check.status, 0, check.stderr.toString());

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'imon-zsh-'));
  const file = path.join(dir, '_illumio-monitor');
  await fs.writeFile(file, r.stdout);
  const registered = spawnSync('zsh', ['-f', '-c', `autoload -U compinit; compinit -u -D; source ${file}; print -r -- $_comps[illumio-monitor]`], { encoding: 'utf8' });
  await fs.rm(dir, { recursive: true, force: true });
  assert.equal(registered.stdout.trim(), '_illumio_monitor_completions', registered.stderr);
});

test('zsh mode of the call back: yargs answers with name:description pairs', async () => {
  const r = await runCli(['--get-yargs-completions', 'illumio-monitor', 'doc'], { env: { SHELL: 'zsh' } });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.split('\n').some((l) => l.startsWith('doctor:Check config')), r.stdout);
});
