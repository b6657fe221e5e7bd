/**
 * The options of one setup-postfix run, checked before anything is read or
 * changed, and the relay password, which never comes from the command line.
 */
import { promises as fs } from 'node:fs';
import net from 'node:net';
import { MonitorError, UsageError } from '../errors.js';

export type TlsLevel = 'encrypt' | 'may';

export interface SetupOptions {
  relayHost: string;
  relayPort: number;
  relayUser: string;
  /** Already read and checked; never printed. */
  password: string;
  tls: TlsLevel;
  /** Absolute path of the Postfix config directory, e.g. /etc/postfix. */
  configDir: string;
  install: boolean;
  restart: boolean;
  dryRun: boolean;
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** Refuse what Postfix would misread: hosts with brackets or blanks, odd ports, users with ':' or blanks. */
export function checkRelay(host: string, port: number, user: string): void {
  if (!HOSTNAME.test(host) && net.isIP(host) === 0) {
    throw new UsageError(
      `--relay-host "${host}" is not a host name or IP address`,
      'Give the smarthost name without brackets or port, e.g. --relay-host smtp.example.com --relay-port 587.',
    );
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--relay-port ${port} is not a port number (1-65535)`);
  }
  if (user === '' || /[\s:]/.test(user)) {
    throw new UsageError(
      '--relay-user must be non-empty and contain no blank or ":"',
      'Postfix splits sasl_passwd values at the first ":" and at blanks.',
    );
  }
}

/** The `relayhost` value and sasl_passwd key: `[host]:port` (`[ipv6:addr]:port` for IPv6). */
export function relayKey(host: string, port: number): string {
  const literal = net.isIPv6(host) ? `ipv6:${host}` : host;
  return `[${literal}]:${port}`;
}

/**
 * The password from --relay-password-file or $ILLUMIO_RELAY_PASSWORD. One
 * final newline of a file is dropped; any other surrounding blank is refused
 * because postmap would silently drop it and the login would fail later.
 */
export async function readRelayPassword(
  file: string | undefined,
  envValue: string | undefined,
): Promise<string> {
  if (file !== undefined && envValue !== undefined) {
    throw new UsageError('both --relay-password-file and ILLUMIO_RELAY_PASSWORD are set; give one.');
  }

  let password: string;
  let source: string;
  if (file !== undefined) {
    password = (await readSecretFile(file)).replace(/\r?\n$/, '');
    source = file;
  } else if (envValue !== undefined) {
    password = envValue;
    source = 'ILLUMIO_RELAY_PASSWORD';
  } else {
    throw new UsageError(
      'no relay password given',
      'Put it in a file readable only by root and pass --relay-password-file FILE, or set ILLUMIO_RELAY_PASSWORD.',
    );
  }

  checkPassword(password, source);
  return password;
}

async function readSecretFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new MonitorError('PASSWORD_FILE', `cannot read the relay password file ${file} (${code})`, {
      exitCode: 2,
      hint: 'Check the path and that this user may read it.',
    });
  }
}

function checkPassword(password: string, source: string): void {
  if (password === '') throw new UsageError(`the relay password in ${source} is empty`);
  if (/[\r\n]/.test(password)) {
    throw new UsageError(`the relay password in ${source} spans several lines; put it on one line`);
  }
  if (/^\s|\s$/.test(password)) {
    throw new UsageError(
      `the relay password in ${source} starts or ends with a blank, which postmap would drop`,
      'Remove the surrounding blanks (a single final newline in a file is fine).',
    );
  }
}
