/**
 * For setup-postfix tests on fixture roots: a copy of a fixture in a temp
 * dir, a digest of a whole tree, and a command runner that stands in for
 * the Postfix programs by editing the fixture files the way they would
 * (the integration test runs the real ones).
 */
import { createHash } from 'node:crypto';
import { rmSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './cli.js';
import type { CommandRunner, RunResult } from '../../src/postfix/runner.js';

export const fixturesDir = path.join(repoRoot, 'test', 'fixtures', 'postfix');

const copies: string[] = [];
process.on('exit', () => copies.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** A private copy of fixture `name` (removed when the process exits); returns its root and Postfix dir. */
export async function copyFixture(name: string): Promise<{ root: string; configDir: string }> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), `postfix-${name}-`));
  copies.push(root);
  await fs.cp(path.join(fixturesDir, name), root, { recursive: true });
  await fs.mkdir(path.join(root, 'etc', 'postfix'), { recursive: true });
  return { root, configDir: path.join(root, 'etc', 'postfix') };
}

/** sha256 over every path, mode and content below `dir`. */
export async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (d: string): Promise<void> => {
    const entries = (await fs.readdir(d, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const e of entries) {
      const p = path.join(d, e.name);
      const st = await fs.lstat(p);
      hash.update(`${path.relative(dir, p)}\0${st.mode}\0`);
      if (e.isDirectory()) await walk(p);
      else hash.update(await fs.readFile(p));
    }
  };
  await walk(dir);
  return hash.digest('hex');
}

export interface FakeRunner extends CommandRunner {
  calls: string[][];
  inputs: (string | undefined)[];
  running: boolean;
}

/**
 * postconf -e appends `name = value` (Postfix lets the last one win),
 * postconf -F rewrites the chroot column, postmap writes `<file>.db` with
 * mode 0644; postfix status/start/stop track `running`. `fail` makes the
 * first matching command exit 1.
 */
export function fakeRunner(options: { running?: boolean; fail?: (argv: string[]) => boolean } = {}): FakeRunner {
  const runner: FakeRunner = {
    calls: [],
    inputs: [],
    running: options.running ?? true,
    async run(argv, opts = {}) {
      runner.calls.push(argv);
      runner.inputs.push(opts.input);
      if (options.fail?.(argv)) return { code: 1, stdout: '', stderr: `fatal: ${argv[0]} was told to fail\n` };
      return act(runner, argv);
    },
  };
  return runner;
}

async function act(runner: FakeRunner, argv: string[]): Promise<RunResult> {
  const ok: RunResult = { code: 0, stdout: '', stderr: '' };
  const [prog, , dir, verb, ...rest] = argv;

  if (prog === 'postfix' && verb === 'status') return { ...ok, code: runner.running ? 0 : 1 };
  if (prog === 'postfix' && verb === 'start') runner.running = true;
  if (prog === 'postfix' && verb === 'stop') runner.running = false;
  if (prog === 'postconf' && verb === '-e') await fs.appendFile(path.join(dir!, 'main.cf'), rest.map((s) => `${s}\n`).join(''));
  if (prog === 'postconf' && verb === '-F') await editMaster(path.join(dir!, 'master.cf'), rest);
  if (prog === 'postmap') {
    const file = argv[1]!.replace(/^hash:/, '');
    await fs.writeFile(`${file}.db`, `db of ${await fs.readFile(file, 'utf8')}`, { mode: 0o644 });
  }
  return ok;
}

async function editMaster(file: string, edits: string[]): Promise<void> {
  let lines = (await fs.readFile(file, 'utf8')).split('\n');
  for (const edit of edits) {
    const [service, type, , value] = edit.split(/[/=]/);
    lines = lines.map((line) => {
      const cols = line.split(/\s+/);
      if (cols[0] !== service || cols[1] !== type) return line;
      cols[4] = value!;
      return cols.join(' ');
    });
  }
  await fs.writeFile(file, lines.join('\n'));
}
