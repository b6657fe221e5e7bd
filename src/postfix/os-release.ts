/**
 * Which distribution family a root belongs to, read from `/etc/os-release`,
 * and what that family calls its packages, installer and CA bundle.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { MonitorError } from '../errors.js';

export type OsFamily = 'debian' | 'rhel';

export interface OsInfo {
  family: OsFamily;
  /** `ID` from os-release, e.g. `ubuntu`, `rocky`. */
  id: string;
  prettyName: string;
  /** The package manager to install with: `apt-get`, `dnf` or `yum`. */
  installer: 'apt-get' | 'dnf' | 'yum';
  postfixPackage: string;
  /** The package that ships the SASL PLAIN/LOGIN client plugins. */
  saslPackage: string;
  caBundle: string;
}

const DEBIAN_IDS = ['debian', 'ubuntu'];
const RHEL_IDS = ['rhel', 'centos', 'rocky', 'almalinux', 'fedora'];

/** `KEY=value` pairs of an os-release file (quotes removed). */
export function parseOsRelease(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(raw.trim());
    if (!match?.[1]) continue;
    out[match[1]] = unquote(match[2] ?? '');
  }
  return out;
}

function unquote(value: string): string {
  const m = /^(["'])(.*)\1$/.exec(value);
  return m ? (m[2] ?? '').replace(/\\(.)/g, '$1') : value;
}

/** The family from ID first, then ID_LIKE; undefined when neither is known. */
export function familyOf(fields: Record<string, string>): OsFamily | undefined {
  const ids = [fields.ID ?? '', ...(fields.ID_LIKE ?? '').split(/\s+/)].map((s) => s.toLowerCase());
  for (const id of ids) {
    if (DEBIAN_IDS.includes(id)) return 'debian';
    if (RHEL_IDS.includes(id)) return 'rhel';
  }
  return undefined;
}

/** Read `<root>/etc/os-release` and describe the system; unknown systems are refused. */
export async function detectOs(root: string): Promise<OsInfo> {
  const file = path.join(root, 'etc/os-release');
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new MonitorError('OS_UNKNOWN', `cannot read ${file} to detect the distribution`, {
      hint: 'setup-postfix supports Debian, Ubuntu, RHEL, CentOS, Rocky, AlmaLinux and Fedora.',
      cause: err,
    });
  }

  const fields = parseOsRelease(text);
  const family = familyOf(fields);
  if (!family) {
    throw new MonitorError('OS_UNSUPPORTED', `unsupported distribution "${fields.ID ?? 'unknown'}" in ${file}`, {
      hint: 'setup-postfix supports Debian, Ubuntu, RHEL, CentOS, Rocky, AlmaLinux and Fedora; configure Postfix by hand elsewhere.',
    });
  }

  const base = { id: fields.ID ?? family, prettyName: fields.PRETTY_NAME ?? fields.ID ?? family };
  if (family === 'debian') {
    return {
      ...base,
      family,
      installer: 'apt-get',
      postfixPackage: 'postfix',
      saslPackage: 'libsasl2-modules',
      caBundle: '/etc/ssl/certs/ca-certificates.crt',
    };
  }
  return {
    ...base,
    family,
    installer: (await exists(path.join(root, 'usr/bin/dnf'))) ? 'dnf' : 'yum',
    postfixPackage: 'postfix',
    saslPackage: 'cyrus-sasl-plain',
    caBundle: '/etc/pki/tls/certs/ca-bundle.crt',
  };
}

export async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
