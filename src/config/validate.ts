/**
 * validateConfig: the schema's errors turned into one line per problem with
 * its JSON path (unknown keys get a did-you-mean), then the semantic checks
 * a schema cannot make. Never throws; an empty list means valid.
 */
import type { ErrorObject } from 'ajv/dist/2020.js';
import type { ConfigProblem } from '../errors.js';
import { validateRules } from '../rules/validate.js';
import { configValidator } from './schema.js';
import { didYouMean } from './suggest.js';

type Loose = Record<string, unknown>;
type SchemaNode = { description?: string; properties?: Record<string, SchemaNode>; enum?: unknown[] };

export function validateConfig(data: unknown): ConfigProblem[] {
  const problems = dedupe([...schemaProblems(data), ...semanticProblems(data)]);
  // Stable sort: problems of one setting or rule stay together, in file order.
  return problems.sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

export function schemaProblems(data: unknown): ConfigProblem[] {
  const validate = configValidator();
  if (validate(data)) return [];

  const errors = dropAnyOfBranches(validate.errors ?? []);
  return errors.map(translate);
}

/** An anyOf failure reports each branch too; the anyOf line says it all. */
function dropAnyOfBranches(errors: ErrorObject[]): ErrorObject[] {
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  return errors.filter(
    (e) => !anyOfs.some((a) => a !== e && a.instancePath === e.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`)),
  );
}

function translate(e: ErrorObject): ConfigProblem {
  const at = e.instancePath;
  const parent = (e.parentSchema ?? {}) as SchemaNode;
  const params = e.params as Record<string, unknown>;

  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      return { path: `${at}/${key}`, message: unknownKey(key, Object.keys(parent.properties ?? {})) };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const what = parent.properties?.[key]?.description;
      return { path: `${at}/${key}`, message: what ? `is required: ${what}` : 'is required' };
    }
    case 'discriminator':
      return { path: `${at}/type`, message: 'must be event, traffic or health' };
    case 'enum':
      return { path: at, message: `must be one of: ${(parent.enum ?? []).join(', ')}` };
    case 'anyOf':
      return { path: at, message: `must be ${parent.description ?? 'one of the allowed forms'}` };
    case 'format':
      return { path: at, message: formatMessage(String(params.format)) };
    case 'pattern':
      return { path: at, message: patternMessage(at) };
    case 'type':
      return { path: at, message: `must be ${article(String(params.type))}` };
    case 'uniqueItems':
      return { path: at, message: `lists the same value twice (items ${params.j} and ${params.i})` };
    default:
      return { path: at, message: e.message ?? `fails ${e.keyword}` };
  }
}

function unknownKey(key: string, allowed: string[]): string {
  const near = didYouMean(key, allowed);
  if (near) return `unknown key '${key}' – did you mean '${near}'?`;
  return `unknown key '${key}' – allowed here: ${allowed.join(', ')}`;
}

function formatMessage(format: string): string {
  if (format === 'email') return 'must be an email address, e.g. soc@example.com';
  if (format === 'mailbox') return 'must be an email address, optionally with a name: Illumio Monitor <monitor@example.com>';
  if (format === 'uri') return 'must be a URL, e.g. https://pce.example.com:8443';
  return `must be a valid ${format}`;
}

function patternMessage(at: string): string {
  if (/\/rules\/\d+\/id$/.test(at)) return "must be a slug: lower-case letters, digits, '.', '_', '-', starting with a letter or digit (e.g. blocked-smb)";
  if (at === '/pce/url') return 'must be http(s)://host[:port] without a path, e.g. https://pce.example.com:8443';
  if (/\/(subjectPrefix|name)$/.test(at)) return 'must be one line (no line breaks)';
  return 'must not contain blanks';
}

function article(type: string): string {
  const names: Record<string, string> = {
    object: 'an object', array: 'an array (a JSON list)', integer: 'a whole number',
    number: 'a number', boolean: 'true or false', string: 'a string',
  };
  return type.split(',').map((t) => names[t] ?? t).join(' or ');
}

/** Checks across fields and against the runtime (time zones). */
export function semanticProblems(data: unknown): ConfigProblem[] {
  if (!isObject(data)) return [];
  const problems: ConfigProblem[] = [];
  const pce = isObject(data.pce) ? data.pce : {};
  const email = isObject(data.email) ? data.email : {};
  const smtp = isObject(email.smtp) ? email.smtp : {};

  if (pce.apiSecret !== undefined && pce.apiSecretFile !== undefined) {
    problems.push({ path: '/pce/apiSecret', message: 'the secret is given twice (apiSecret and apiSecretFile); keep only apiSecretFile' });
  }
  if (smtp.password !== undefined && smtp.passwordFile !== undefined) {
    problems.push({ path: '/email/smtp/password', message: 'the password is given twice (password and passwordFile); keep only passwordFile' });
  }
  if ((smtp.password !== undefined || smtp.passwordFile !== undefined) && smtp.user === undefined) {
    problems.push({ path: '/email/smtp/user', message: 'is required when a password is set (SMTP AUTH needs a user name)' });
  }

  if (typeof pce.url === 'string' && /^https?:\/\/[^/]*@/.test(pce.url)) {
    problems.push({ path: '/pce/url', message: 'must not contain a user name or password; use apiKey and apiSecretFile' });
  }
  if (typeof pce.url === 'string' && plainHttpToNetwork(pce.url)) {
    problems.push({
      path: '/pce/url',
      message: 'uses http:// to a host that is not loopback: the API secret would cross the network unencrypted; use https:// (http:// is for local testing on 127.0.0.1 only)',
    });
  }
  if (typeof email.timeZone === 'string' && !isTimeZone(email.timeZone)) {
    problems.push({ path: '/email/timeZone', message: `'${email.timeZone}' is not an IANA time zone (e.g. UTC, Europe/Berlin, Asia/Taipei)` });
  }

  return [...problems, ...validateRules(data.rules)];
}

/** http:// to anything but localhost, 127.0.0.0/8 or ::1. */
export function plainHttpToNetwork(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false; // the schema reports a malformed URL
  }
  if (parsed.protocol !== 'http:') return false;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  return !(host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function dedupe(problems: ConfigProblem[]): ConfigProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isObject(value: unknown): value is Loose {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
