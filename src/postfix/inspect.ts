/**
 * What is on the system now: the Postfix files, whether Postfix and a SASL
 * client plugin are installed, whether systemd runs and Postfix is up.
 * Read-only; the plan is computed from this.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { exists } from './os-release.js';
import type { CommandRunner } from './runner.js';

export interface FileState {
  content: string;
  mode: number;
  mtimeMs: number;
}

export interface CurrentState {
  mainCf: FileState | undefined;
  masterCf: FileState | undefined;
  saslPasswd: FileState | undefined;
  saslDb: FileState | undefined;
  postfixInstalled: boolean;
  saslPluginPresent: boolean;
  /** systemd is the running init (sd_booted: /run/systemd/system exists). */
  systemd: boolean;
  postfixRunning: boolean;
}

export function postfixPaths(configDir: string) {
  return {
    mainCf: path.join(configDir, 'main.cf'),
    masterCf: path.join(configDir, 'master.cf'),
    saslPasswd: path.join(configDir, 'sasl_passwd'),
    saslDb: path.join(configDir, 'sasl_passwd.db'),
  };
}

export async function inspectSystem(root: string, configDir: string, runner: CommandRunner): Promise<CurrentState> {
  const files = postfixPaths(configDir);
  const postfixInstalled = await postconfPresent(root);

  return {
    mainCf: await readState(files.mainCf),
    masterCf: await readState(files.masterCf),
    saslPasswd: await readState(files.saslPasswd),
    saslDb: await readState(files.saslDb, false),
    postfixInstalled,
    saslPluginPresent: await saslPluginPresent(root),
    systemd: await exists(path.join(root, 'run/systemd/system')),
    postfixRunning: postfixInstalled && (await runner.run(['postfix', '-c', configDir, 'status'])).code === 0,
  };
}

async function readState(file: string, withContent = true): Promise<FileState | undefined> {
  try {
    const stat = await fs.stat(file);
    const content = withContent ? await fs.readFile(file, 'utf8') : '';
    return { content, mode: stat.mode & 0o7777, mtimeMs: stat.mtimeMs };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

async function postconfPresent(root: string): Promise<boolean> {
  for (const dir of ['usr/sbin', 'usr/bin', 'sbin']) {
    if (await exists(path.join(root, dir, 'postconf'))) return true;
  }
  return false;
}

/** libplain.so* or liblogin.so* in any sasl2 plugin directory, multiarch ones included. */
export async function saslPluginPresent(root: string): Promise<boolean> {
  for (const dir of await saslDirs(root)) {
    const names = await fs.readdir(dir).catch(() => [] as string[]);
    if (names.some((n) => /^lib(plain|login)\.so/.test(n))) return true;
  }
  return false;
}

async function saslDirs(root: string): Promise<string[]> {
  const dirs = ['usr/lib64/sasl2', 'usr/lib/sasl2'].map((d) => path.join(root, d));
  const usrLib = path.join(root, 'usr/lib');
  const entries = await fs.readdir(usrLib, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) {
    if (entry.isDirectory() && entry.name.includes('-linux-')) dirs.push(path.join(usrLib, entry.name, 'sasl2'));
  }
  return dirs;
}
