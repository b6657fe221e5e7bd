/**
 * What a relay through an authenticated smarthost needs in main.cf,
 * master.cf and sasl_passwd, and which of it differs from what is there.
 */
import { MonitorError } from '../errors.js';
import type { OsInfo } from './os-release.js';
import { relayKey, type SetupOptions } from './options.js';
import { parseMainCf, parseMasterCf, sameValue } from './postfix-files.js';

export type Setting = [name: string, value: string];

export function desiredMainSettings(os: OsInfo, options: SetupOptions): Setting[] {
  return [
    ['relayhost', relayKey(options.relayHost, options.relayPort)],
    ['smtp_sasl_auth_enable', 'yes'],
    ['smtp_sasl_password_maps', `hash:${options.configDir}/sasl_passwd`],
    ['smtp_sasl_security_options', 'noanonymous'],
    ['smtp_sasl_tls_security_options', 'noanonymous'],
    ['smtp_tls_security_level', options.tls],
    ['smtp_tls_CAfile', os.caBundle],
    ['inet_interfaces', 'loopback-only'],
    ['mynetworks', '127.0.0.0/8 [::1]/128'],
  ];
}

/**
 * Debian's "Local only" install sets these to `error`, which bounces every
 * remote recipient whatever the relayhost; put back Postfix's defaults, but
 * only where main.cf overrides them.
 */
const TRANSPORT_DEFAULTS: Setting[] = [
  ['default_transport', 'smtp'],
  ['relay_transport', 'relay'],
];

/** The main.cf settings whose current value differs (all of them when main.cf is absent). */
export function mainCfChanges(os: OsInfo, options: SetupOptions, mainCf: string | undefined): Setting[] {
  const current = parseMainCf(mainCf ?? '');
  const wanted = desiredMainSettings(os, options).filter(([name, value]) => !sameValue(current.get(name), value));
  const transports = TRANSPORT_DEFAULTS.filter(([name, value]) => current.has(name) && !sameValue(current.get(name), value));
  return [...wanted, ...transports];
}

/**
 * `postconf -F` edits turning chroot off for the smtp and relay clients, so
 * they can read /etc/resolv.conf and the CA bundle. A missing relay entry is
 * left alone (nothing routes through it here); a missing smtp entry is fatal.
 */
export function masterCfChanges(masterCf: string | undefined, file: string): { edits: string[]; notes: string[] } {
  if (masterCf === undefined) return { edits: ['smtp/unix/chroot=n', 'relay/unix/chroot=n'], notes: [] };

  const entries = parseMasterCf(masterCf);
  if (!entries.has('smtp/unix')) {
    throw new MonitorError('MASTER_CF_NO_SMTP', `${file} has no "smtp unix" service; Postfix cannot relay without it`, {
      hint: 'Restore the smtp client line from your distribution\'s master.cf, then run setup-postfix again.',
    });
  }

  const edits: string[] = [];
  const notes: string[] = [];
  for (const service of ['smtp', 'relay']) {
    const entry = entries.get(`${service}/unix`);
    if (!entry) notes.push(`${file} has no "${service} unix" service; left as it is.`);
    else if (entry.chroot !== 'n') edits.push(`${service}/unix/chroot=n`);
  }
  return { edits, notes };
}

/** The one sasl_passwd line, and how it is shown (password masked). */
export function saslPasswdLine(options: SetupOptions): { content: string; shown: string } {
  const key = relayKey(options.relayHost, options.relayPort);
  return {
    content: `${key} ${options.relayUser}:${options.password}\n`,
    shown: `${key} ${options.relayUser}:***`,
  };
}
