/**
 * The starter config `config init` writes. Settings the user did not give
 * get placeholders that pass the schema (so `config set` can fill them in
 * one at a time) but are recognised and refused by `config validate` and
 * `run` until replaced.
 */
import type { ConfigProblem } from '../errors.js';
import { defaultRules } from '../rules/defaults.js';
import type { ConfigFile } from '../types.js';

export interface InitOptions {
  pceUrl?: string | undefined;
  orgId?: number | undefined;
  apiKey?: string | undefined;
  apiSecretFile?: string | undefined;
  emailFrom?: string | undefined;
  emailTo?: string[] | undefined;
  smtpHost?: string | undefined;
  smtpPort?: number | undefined;
}

/** `.invalid` is reserved (RFC 2606): these can never reach a real host. */
export const PLACEHOLDERS = {
  pceUrl: 'https://pce.example.invalid:8443',
  apiKey: 'api_REPLACE_ME',
  emailFrom: 'illumio-monitor@example.invalid',
  emailTo: 'soc@example.invalid',
} as const;

const EXAMPLES: Record<string, string> = {
  '/pce/url': 'pce.url https://pce.example.com:8443',
  '/pce/apiKey': 'pce.apiKey api_1a2b3c4d5e6f7a8b9',
  '/email/from': 'email.from illumio-monitor@example.com',
  '/email/to': 'email.to soc@example.com,noc@example.com',
  '/email/smtp/host': 'email.smtp.host smtp.example.com',
};

export function starterConfig(o: InitOptions): ConfigFile {
  const pce: ConfigFile['pce'] = {
    url: o.pceUrl ?? PLACEHOLDERS.pceUrl,
    orgId: o.orgId ?? 1,
    apiKey: o.apiKey ?? PLACEHOLDERS.apiKey,
  };
  if (o.apiSecretFile !== undefined) pce.apiSecretFile = o.apiSecretFile;

  const smtp: ConfigFile['email']['smtp'] = { host: o.smtpHost ?? 'localhost', port: o.smtpPort ?? 25 };
  const to = o.emailTo && o.emailTo.length > 0 ? o.emailTo : [PLACEHOLDERS.emailTo];

  return {
    pce,
    email: { from: o.emailFrom ?? PLACEHOLDERS.emailFrom, to, smtp },
    rules: defaultRules(),
  };
}

function isPlaceholder(value: unknown): boolean {
  return typeof value === 'string' && (/\.invalid(?=[:/>]|$)/i.test(value) || value.includes('REPLACE_ME'));
}

/** Settings still holding a placeholder, each with the command that fills it. */
export function placeholderProblems(cfg: ConfigFile): ConfigProblem[] {
  const found: [string, unknown][] = [
    ['/pce/url', cfg.pce?.url],
    ['/pce/apiKey', cfg.pce?.apiKey],
    ['/email/from', cfg.email?.from],
    ['/email/to', cfg.email?.to?.some(isPlaceholder) ? 'REPLACE_ME' : undefined],
    ['/email/smtp/host', cfg.email?.smtp?.host],
  ];

  return found
    .filter(([, value]) => isPlaceholder(value))
    .map(([path]) => ({ path, message: `still the placeholder from config init; set it: ${fillCommand(path)}` }));
}

/** The command that replaces the placeholder at `path`, with an example value. */
export function fillCommand(path: string): string {
  return `illumio-monitor config set ${EXAMPLES[path] ?? path.slice(1).replaceAll('/', '.')}`;
}
