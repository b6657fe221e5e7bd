/**
 * The plan: a pure function of the detected OS, the options and what is on
 * the system now, giving the exact steps to run. Dry-run prints it; a
 * second identical run finds nothing to do and plans no steps at all.
 */
import { MonitorError } from '../errors.js';
import { mainCfChanges, masterCfChanges, saslPasswdLine, type Setting } from './desired.js';
import type { CurrentState } from './inspect.js';
import { postfixPaths } from './inspect.js';
import type { OsInfo } from './os-release.js';
import type { SetupOptions } from './options.js';
import { command, type Step } from './steps.js';

export interface PlanInput {
  os: OsInfo;
  options: SetupOptions;
  current: CurrentState;
  /** Where this run's backup goes, `<configDir>/illumio_backups/<UTC timestamp>`. */
  backupDir: string;
}

export interface Plan {
  /** Package installation; after it runs the system is inspected and planned again. */
  install: Step[];
  /** Backup, file changes, check and start/reload. Empty when nothing differs. */
  configure: Step[];
  /** Things the user should know that are not steps. */
  notes: string[];
}

export const DEFAULT_CONFIG_DIR = '/etc/postfix';

export function buildPlan(input: PlanInput): Plan {
  const { options, current } = input;
  const install = installSteps(input);
  const notes: string[] = [];

  const settings = mainCfChanges(input.os, options, current.mainCf?.content);
  const master = masterCfChanges(current.masterCf?.content, postfixPaths(options.configDir).masterCf);
  notes.push(...master.notes);

  const files = fileSteps(input, settings, master.edits);
  const service = serviceSteps(input, files.length > 0, settings);
  if (!options.restart && files.length > 0) notes.push('Postfix was not reloaded (--no-restart); run "postfix reload" to apply.');
  if (options.tls === 'may') {
    notes.push('--tls may: if the smarthost offers no STARTTLS, Postfix sends the relay password unencrypted.');
  }

  return { install, configure: [...files, ...service], notes };
}

function installSteps({ os, options, current }: PlanInput): Step[] {
  const missing: string[] = [];
  if (!current.postfixInstalled) missing.push(os.postfixPackage);
  if (!current.saslPluginPresent) missing.push(os.saslPackage);
  if (missing.length === 0) return [];

  if (!options.install) throw missingError(os, current);

  if (os.family === 'rhel') {
    return [command('install', [os.installer, 'install', '-y', ...missing]), verifySasl(os)];
  }

  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  // "Local only" gives a main.cf that listens on loopback; we make it a relay.
  const preseed = command('debconf-preseed', ['debconf-set-selections'], {
    input: 'postfix postfix/main_mailer_type select Local only\n',
  });
  return [
    ...(current.postfixInstalled ? [] : [preseed]),
    command('apt-update', ['apt-get', 'update', '-q'], { env }),
    command('install', ['apt-get', 'install', '-y', '-q', ...missing], { env }),
    verifySasl(os),
  ];
}

function verifySasl(os: OsInfo): Step {
  return { kind: 'verify-sasl', id: 'verify-sasl', package: os.saslPackage };
}

export function missingError(os: OsInfo, current: CurrentState): MonitorError {
  if (!current.postfixInstalled) {
    return new MonitorError('POSTFIX_MISSING', `Postfix is not installed (package ${os.postfixPackage}) and --no-install was given`, {
      hint: `Install ${os.postfixPackage} and ${os.saslPackage}, or run without --no-install.`,
    });
  }
  return new MonitorError('SASL_PLUGIN_MISSING', `no SASL PLAIN or LOGIN client plugin is installed; install package ${os.saslPackage}`, {
    hint: `Postfix cannot log in to the smarthost without it; nothing was changed. Run "${os.installer} install ${os.saslPackage}" or drop --no-install.`,
  });
}

/** Backup, main.cf, master.cf, sasl_passwd and its map: only what differs. */
function fileSteps({ options, current, backupDir }: PlanInput, settings: Setting[], edits: string[]): Step[] {
  const dir = options.configDir;
  const paths = postfixPaths(dir);
  const sasl = saslPasswdLine(options);
  const steps: Step[] = [];

  if (settings.length > 0) {
    steps.push(command('postconf-main', ['postconf', '-c', dir, '-e', ...settings.map(([n, v]) => `${n} = ${v}`)]));
  }
  if (edits.length > 0) steps.push(command('postconf-master', ['postconf', '-c', dir, '-F', ...edits]));

  const rewrite = current.saslPasswd?.content !== sasl.content;
  if (rewrite) steps.push({ kind: 'write', id: 'write-sasl-passwd', file: paths.saslPasswd, mode: 0o600, content: sasl.content, shown: sasl.shown });
  else if (!isPrivate(current.saslPasswd?.mode)) steps.push({ kind: 'chmod', id: 'chmod-sasl-passwd', file: paths.saslPasswd, mode: 0o600 });

  const staleDb = !current.saslDb || current.saslDb.mtimeMs < (current.saslPasswd?.mtimeMs ?? 0);
  if (rewrite || staleDb) steps.push(command('postmap', ['postmap', `hash:${paths.saslPasswd}`]));
  if (rewrite || staleDb || !isPrivate(current.saslDb?.mode)) {
    steps.push({ kind: 'chmod', id: 'chmod-sasl-db', file: paths.saslDb, mode: 0o600 });
  }

  if (steps.length === 0) return [];

  const backup: Step = { kind: 'backup', id: 'backup', dir: backupDir, files: Object.values(paths) };
  return [backup, ...steps, command('postfix-check', ['postfix', '-c', dir, 'check'])];
}

function isPrivate(mode: number | undefined): boolean {
  return mode !== undefined && (mode & 0o777) === 0o600;
}

/**
 * Start Postfix if it is down; otherwise reload after a change, or restart
 * when inet_interfaces changed (Postfix only rebinds its listeners on start).
 */
function serviceSteps({ options, current }: PlanInput, changed: boolean, settings: Setting[]): Step[] {
  if (!options.restart) return [];

  const dir = options.configDir;
  const systemd = current.systemd && dir === DEFAULT_CONFIG_DIR;
  const postfix = (verb: string, id: string) => command(id, ['postfix', '-c', dir, verb]);

  if (!current.postfixRunning) {
    return [systemd ? command('start', ['systemctl', 'start', 'postfix']) : postfix('start', 'start')];
  }
  if (!changed) return [];

  const rebind = settings.some(([name]) => name === 'inet_interfaces');
  if (rebind) {
    return systemd
      ? [command('restart', ['systemctl', 'restart', 'postfix'])]
      : [postfix('stop', 'stop'), postfix('start', 'start')];
  }
  return [systemd ? command('reload', ['systemctl', 'reload-or-restart', 'postfix']) : postfix('reload', 'reload')];
}
