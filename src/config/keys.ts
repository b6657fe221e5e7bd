/**
 * Dotted setting names (`pce.url`, `email.smtp.port`) for `config set` and
 * `config unset`: which exist, how a command-line string becomes the type
 * the schema wants, and editing them in a parsed config.
 */
import { UsageError } from '../errors.js';
import { configSchema } from './schema.js';
import { didYouMean } from './suggest.js';

interface Node {
  type?: string;
  enum?: unknown[];
  description?: string;
  properties?: Record<string, Node>;
  items?: Node;
}

type Loose = Record<string, unknown>;

/** Keys whose value is a secret: never taken from the command line. */
export const SECRET_KEYS: Readonly<Record<string, { file: string; env: string }>> = {
  'pce.apiSecret': { file: 'pce.apiSecretFile', env: 'ILLUMIO_API_SECRET' },
  'email.smtp.password': { file: 'email.smtp.passwordFile', env: 'ILLUMIO_SMTP_PASSWORD' },
};

/** Every settable leaf, e.g. `email.smtp.port`; rules are edited with `rules ...`. */
export function settingKeys(): string[] {
  const out: string[] = [];
  const walk = (node: Node, prefix: string) => {
    for (const [name, child] of Object.entries(node.properties ?? {})) {
      const key = prefix ? `${prefix}.${name}` : name;
      if (key === 'rules') continue;
      if (child.properties) walk(child, key);
      else out.push(key);
    }
  };
  walk(configSchema() as Node, '');
  return out;
}

/** The schema node of a leaf key, or a UsageError with a did-you-mean. */
export function settingSchema(key: string): Node {
  if (key === 'rules' || key.startsWith('rules.')) {
    throw new UsageError(`'${key}' is not set with config set`, 'Use illumio-monitor rules add|remove|enable|disable|load-defaults.');
  }

  const keys = settingKeys();
  if (!keys.includes(key)) {
    const inside = keys.filter((k) => k.startsWith(`${key}.`));
    if (inside.length > 0) throw new UsageError(`'${key}' is a group of settings; name one of: ${inside.join(', ')}`);
    const near = didYouMean(key, keys);
    throw new UsageError(`unknown setting '${key}'${near ? ` – did you mean '${near}'?` : ''}`, 'See the settings with: illumio-monitor config show');
  }

  let node = configSchema() as Node;
  for (const part of key.split('.')) node = node.properties?.[part] ?? {};
  return node;
}

/** Turn command-line strings into the value the schema expects for `key`. */
export function parseSettingValue(key: string, raw: string[]): unknown {
  const secret = SECRET_KEYS[key];
  if (secret) {
    throw new UsageError(
      `refusing to take ${key} from the command line (it would stay in shell history and process lists)`,
      `Put it in a file (chmod 600) and run: illumio-monitor config set ${secret.file} FILE, or set ${secret.env}.`,
    );
  }

  const node = settingSchema(key);
  if (node.type === 'array') return raw.flatMap((r) => r.split(',')).map((s) => s.trim()).filter(Boolean);
  if (raw.length !== 1) throw new UsageError(`${key} takes one value; got ${raw.length}`);
  return scalar(key, raw[0] ?? '', node);
}

function scalar(key: string, raw: string, node: Node): unknown {
  if (node.type === 'integer' || node.type === 'number') {
    const ok = node.type === 'integer' ? /^-?\d+$/.test(raw) : raw.trim() !== '' && Number.isFinite(Number(raw));
    if (!ok) throw new UsageError(`${key} must be ${node.type === 'integer' ? 'a whole number' : 'a number'}; got '${raw}'`);
    return Number(raw);
  }

  if (node.type === 'boolean') {
    if (/^(true|yes|on|1)$/i.test(raw)) return true;
    if (/^(false|no|off|0)$/i.test(raw)) return false;
    throw new UsageError(`${key} must be true or false; got '${raw}'`);
  }

  return raw;
}

/** Set `a.b.c` in a parsed config, creating the objects on the way. */
export function setSetting(data: Loose, key: string, value: unknown): void {
  const parts = key.split('.');
  const last = parts.pop() ?? key;
  let node = data;
  for (const part of parts) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Loose;
  }
  node[last] = value;
}

/** Remove `a.b.c`; returns whether it was there. */
export function unsetSetting(data: Loose, key: string): boolean {
  const parts = key.split('.');
  const last = parts.pop() ?? key;
  let node: unknown = data;
  for (const part of parts) node = (node as Loose | undefined)?.[part];
  if (typeof node !== 'object' || node === null || !(last in node)) return false;
  delete (node as Loose)[last];
  return true;
}
