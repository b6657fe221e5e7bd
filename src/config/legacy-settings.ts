/**
 * The legacy `api`, `email` and `smtp` blocks → `pce` and `email`. Secrets are
 * never copied into the config: a secret that was set is referenced by the
 * file name the caller will write it to.
 */
import type { ConfigFile } from '../types.js';
import { isMailbox } from './schema.js';
import { PLACEHOLDERS } from './template.js';
import { dropUnknownKeys, isObject, isUnset, toInteger, type LegacyReport, type Loose } from './legacy-report.js';

export interface SecretFileNames {
  secretFileName: string;
  passwordFileName: string;
}

/** The secret values of a legacy config (for the files beside the new one). */
export interface LegacySecrets {
  apiSecret?: string;
  smtpPassword?: string;
}

const API_KEYS = ['url', 'org_id', 'key', 'secret', 'verify_ssl'];
const EMAIL_KEYS = ['sender', 'recipients'];
const SMTP_KEYS = ['host', 'port', 'user', 'password', 'enable_auth', 'enable_tls'];

export function legacySecrets(legacy: unknown): LegacySecrets {
  const out: LegacySecrets = {};
  if (!isObject(legacy)) return out;

  const api = isObject(legacy.api) ? legacy.api : {};
  if (typeof api.secret === 'string' && api.secret.trim() !== '') out.apiSecret = api.secret.trim();

  const smtp = isObject(legacy.smtp) ? legacy.smtp : {};
  if (smtp.enable_auth === true && typeof smtp.password === 'string' && smtp.password !== '') out.smtpPassword = smtp.password;
  return out;
}

export function convertPce(api: Loose, names: SecretFileNames, report: LegacyReport): ConfigFile['pce'] {
  dropUnknownKeys(api, API_KEYS, '/api', report);

  const pce: ConfigFile['pce'] = { url: pceUrl(api.url, report), orgId: orgId(api.org_id, report), apiKey: apiKey(api.key, report) };

  if (legacySecrets({ api }).apiSecret !== undefined) {
    pce.apiSecretFile = names.secretFileName;
    report.change('/api/secret', `moved to the file ${names.secretFileName} (mode 0600) beside the config, referenced as pce.apiSecretFile`);
  } else {
    report.warn(`the legacy file has no API secret: write it to ${names.secretFileName} (mode 0600) and set pce.apiSecretFile, or set ILLUMIO_API_SECRET`);
  }

  if (api.verify_ssl === false) {
    pce.verifyTls = false;
    report.warn('PCE certificate checks stay off (verify_ssl was false): put the PCE CA certificate in a file, set pce.caFile to it and remove pce.verifyTls');
  } else if (!isUnset(api.verify_ssl) && api.verify_ssl !== true) {
    report.problem('/api/verify_ssl', 'must be true or false');
  }
  return pce;
}

function pceUrl(value: unknown, report: LegacyReport): string {
  if (typeof value !== 'string' || value.trim() === '') {
    report.problem('/api/url', 'must be the PCE URL, e.g. https://pce.example.com:8443');
    return '';
  }

  let url = value.trim();
  // Never quoted: a user name or password in the URL is a secret.
  if (/^([a-z][a-z0-9+.-]*:\/\/)?[^/]*@/i.test(url)) {
    report.problem('/api/url', 'must not contain a user name or password; the API key and secret are separate settings');
    return '';
  }
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    url = `https://${url}`;
    report.change('/api/url', `'${value.trim()}' has no scheme: https:// added`);
  }

  const base = url.replace(/\/+$/, '').replace(/\/api\/v2$/i, '').replace(/\/+$/, '');
  if (base !== url) report.change('/api/url', `'${url}' written as '${base}' (no /api/v2 or trailing slash; it is added per request)`);

  if (!/^https?:\/\/[^/?#\s@]+$/i.test(base)) report.problem('/api/url', `'${base}' must be http(s)://host[:port] without a path, e.g. https://pce.example.com:8443`);
  return base;
}

function orgId(value: unknown, report: LegacyReport): number {
  if (isUnset(value)) {
    report.change('/api/org_id', 'missing: 1, as the legacy tool assumed');
    return 1;
  }

  const n = toInteger(value);
  if (n === undefined || n < 1) report.problem('/api/org_id', 'must be the organisation number (the N in /orgs/N), e.g. 1');
  return n ?? 1;
}

function apiKey(value: unknown, report: LegacyReport): string {
  if (typeof value === 'string' && /^\S+$/.test(value.trim())) return value.trim();

  report.warn(`the legacy file has no API key: set it with: illumio-monitor config set pce.apiKey api_1a2b3c4d5e6f7a8b9 (until then the config holds the placeholder ${PLACEHOLDERS.apiKey})`);
  return PLACEHOLDERS.apiKey;
}

export function convertEmail(legacy: Loose, names: SecretFileNames, report: LegacyReport): ConfigFile['email'] {
  const email = isObject(legacy.email) ? legacy.email : {};
  if (!isUnset(legacy.email) && !isObject(legacy.email)) report.problem('/email', 'must be an object with sender and recipients');
  dropUnknownKeys(email, EMAIL_KEYS, '/email', report);

  return { from: sender(email.sender, report), to: recipients(email.recipients, report), smtp: convertSmtp(legacy.smtp, names, report) };
}

function sender(value: unknown, report: LegacyReport): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text !== '' && isMailbox(text)) return text;

  const what = text === '' ? 'no sender' : `the sender '${text}', which is not a full address`;
  report.change('/email/sender', `replaced by the placeholder ${PLACEHOLDERS.emailFrom}`);
  report.warn(`the legacy file has ${what}: set one with: illumio-monitor config set email.from illumio-monitor@example.com`);
  return PLACEHOLDERS.emailFrom;
}

function recipients(value: unknown, report: LegacyReport): string[] {
  const given = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? value : [];
  if (!isUnset(value) && typeof value !== 'string' && !Array.isArray(value)) report.problem('/email/recipients', 'must be a list of addresses');

  const out: string[] = [];
  given.forEach((r, i) => {
    const text = typeof r === 'string' ? r.trim() : '';
    if (text === '') return;
    if (!isMailbox(text) || /[<>]/.test(text)) report.change(`/email/recipients/${i}`, `dropped '${text}': not an email address`);
    else if (out.includes(text)) report.change(`/email/recipients/${i}`, `dropped '${text}': listed twice`);
    else out.push(text);
  });

  if (out.length > 0) return out;
  report.warn(`the legacy file has no usable recipient: set them with: illumio-monitor config set email.to soc@example.com (until then the config holds the placeholder ${PLACEHOLDERS.emailTo})`);
  return [PLACEHOLDERS.emailTo];
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1|\[::1\])$/i;

/** The first Python version always sent through localhost:25; later ones had a top-level `smtp` block. */
export function convertSmtp(value: unknown, names: SecretFileNames, report: LegacyReport): ConfigFile['email']['smtp'] {
  if (isUnset(value)) {
    report.change('/email', 'email.smtp set to localhost port 25 without STARTTLS, where the legacy tool always sent mail');
    return { host: 'localhost', port: 25, starttls: 'off' };
  }
  if (!isObject(value)) {
    report.problem('/smtp', 'must be an object with host and port');
    return { host: 'localhost' };
  }

  dropUnknownKeys(value, SMTP_KEYS, '/smtp', report);
  report.change('/smtp', 'moved to email.smtp');

  const smtp: ConfigFile['email']['smtp'] = { host: smtpHost(value.host, report), port: smtpPort(value.port, report) };
  starttls(smtp, value.enable_tls, report);
  auth(smtp, value, names, report);
  return smtp;
}

function smtpHost(value: unknown, report: LegacyReport): string {
  if (isUnset(value)) return 'localhost';
  if (typeof value === 'string' && /^\S+$/.test(value.trim())) return value.trim();
  report.problem('/smtp/host', 'must be a host name or address without blanks');
  return 'localhost';
}

function smtpPort(value: unknown, report: LegacyReport): number {
  if (isUnset(value)) return 25;
  const n = toInteger(value);
  if (n !== undefined && n >= 1 && n <= 65535) return n;
  report.problem('/smtp/port', 'must be a port number from 1 to 65535');
  return 25;
}

function starttls(smtp: ConfigFile['email']['smtp'], enableTls: unknown, report: LegacyReport): void {
  if (enableTls === true) {
    smtp.starttls = 'required';
    return;
  }
  if (LOOPBACK.test(smtp.host)) {
    smtp.starttls = 'off';
    return;
  }
  report.change('/smtp/enable_tls', `STARTTLS is now used whenever ${smtp.host} offers it (the legacy tool never used it); if its certificate is not trusted, set email.smtp.caFile`);
}

function auth(smtp: ConfigFile['email']['smtp'], raw: Loose, names: SecretFileNames, report: LegacyReport): void {
  const user = typeof raw.user === 'string' ? raw.user.trim() : '';
  const hasPassword = typeof raw.password === 'string' && raw.password !== '';

  if (raw.enable_auth !== true) {
    if (user !== '') report.change('/smtp/user', 'dropped: enable_auth was off, so the legacy tool never logged in');
    if (hasPassword) report.change('/smtp/password', 'dropped (not copied anywhere): enable_auth was off, so the legacy tool never logged in');
    return;
  }

  if (user === '') {
    report.problem('/smtp/user', 'must be set when enable_auth is true');
    return;
  }
  smtp.user = user;

  if (hasPassword) {
    smtp.passwordFile = names.passwordFileName;
    report.change('/smtp/password', `moved to the file ${names.passwordFileName} (mode 0600) beside the config, referenced as email.smtp.passwordFile`);
  } else {
    report.warn(`the legacy file has no SMTP password: write it to ${names.passwordFileName} (mode 0600) and set email.smtp.passwordFile, or set ILLUMIO_SMTP_PASSWORD`);
  }
}
