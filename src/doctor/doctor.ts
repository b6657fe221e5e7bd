/**
 * `doctor`: every check in a fixed order, each one line. A check that
 * cannot run because an earlier one failed is listed as skipped, so the
 * output always names the same checks. Every text is scrubbed of the
 * secrets before it leaves.
 */
import path from 'node:path';
import type { Context } from '../context.js';
import { SECRET_ENV } from '../config/defaults.js';
import { secretsOf } from '../config/secrets.js';
import { scrub } from '../output.js';
import type { ConfigFile, ResolvedConfig } from '../types.js';
import { loadConfig } from '../config/load.js';
import { blocker, skip, warn, type CheckResult } from './check.js';
import { checkConfig } from './config-checks.js';
import { dnsCheck, tcpCheck, urlEndpoint } from './network.js';
import { clockCheck, pceApiChecks } from './pce-checks.js';
import { smtpChecks } from './smtp-checks.js';
import { tlsCheck } from './tls-check.js';

export const CHECK_IDS = [
  'config', 'pce-secret', 'smtp-secret',
  'pce-dns', 'pce-tcp', 'pce-tls', 'pce-auth', 'pce-org', 'pce-traffic', 'clock-skew',
  'smtp-connect', 'smtp-greeting', 'smtp-ehlo', 'smtp-starttls', 'smtp-auth',
] as const;

const PCE_API = ['pce-auth', 'pce-org', 'pce-traffic', 'clock-skew'];
const SMTP = ['smtp-connect', 'smtp-greeting', 'smtp-ehlo', 'smtp-starttls', 'smtp-auth'];
/** Network checks wait at most this long, whatever pce.timeoutSeconds says. */
const NETWORK_TIMEOUT_MS = 10_000;

export interface DoctorReport {
  /** False when any check failed (warnings alone keep it true). */
  ok: boolean;
  checks: CheckResult[];
}

export async function runDoctor(file: string, ctx: Context): Promise<DoctorReport> {
  const config = await checkConfig(file, ctx.env);
  const checks = [...config.checks];
  if (!config.raw) return finish(fill(checks, 'skipped: config failed'), undefined, ctx);

  checks.push(...(await pceNetworkChecks(config.raw, path.dirname(file), ctx)));
  const pceBlocked = blocker(checks, ['pce-dns', 'pce-tcp']) ?? (config.raw.pce.verifyTls === false ? undefined : blocker(checks, ['pce-tls']));

  if (!config.resolved) {
    // A bad PCE secret says nothing about the relay: check it all the same.
    const smtp = await smtpOnly(file, checks, ctx);
    if (!smtp) return finish(fill(checks, blocker(checks, ['pce-secret', 'smtp-secret', 'config']) ?? 'skipped'), undefined, ctx);
    fill(checks, blocker(checks, ['pce-secret']) ?? 'skipped', PCE_API);
    checks.push(...(await smtpChecks(smtp.email.smtp)));
    return finish(fill(checks, blocker(checks, ['smtp-connect']) ?? 'skipped'), smtp, ctx);
  }
  const resolved = config.resolved;

  if (pceBlocked) checks.push(...PCE_API.map((id) => skip(id, pceBlocked)));
  else {
    checks.push(...(await pceApiChecks(resolved, ctx)));
    fill(checks, blocker(checks, ['pce-auth', 'pce-org']) ?? 'skipped', PCE_API.filter((id) => id !== 'clock-skew'));
    checks.push(await clockCheck(resolved, ctx));
  }

  checks.push(...(await smtpChecks(resolved.email.smtp)));
  return finish(fill(checks, blocker(checks, ['smtp-connect']) ?? 'skipped'), resolved, ctx);
}

async function pceNetworkChecks(raw: ConfigFile, dir: string, ctx: Context): Promise<CheckResult[]> {
  const ep = urlEndpoint(raw.pce.url);
  const timeoutMs = Math.min((raw.pce.timeoutSeconds ?? 30) * 1000, NETWORK_TIMEOUT_MS);

  const dns = await dnsCheck('pce-dns', ep.host, 'pce.url');
  if (dns.status === 'fail') return [dns];
  const tcp = await tcpCheck('pce-tcp', ep, timeoutMs, 'check the port in pce.url (8443 on-prem, 443 SaaS) and that the PCE is up');
  if (tcp.status === 'fail') return [dns, tcp];

  if (!ep.https) {
    return [dns, tcp, warn('pce-tls', 'pce.url uses http: the API key and secret travel unencrypted', 'use https:// in pce.url')];
  }
  const caFile = raw.pce.caFile === undefined ? undefined : path.resolve(dir, raw.pce.caFile);
  const tls = await tlsCheck(ep, { caFile, verifyTls: raw.pce.verifyTls ?? true, timeoutMs, now: ctx.clock.now() });
  return [dns, tcp, tls];
}

/** The config resolved for the SMTP checks alone, when only the PCE secret stood in the way. */
async function smtpOnly(file: string, checks: CheckResult[], ctx: Context): Promise<ResolvedConfig | undefined> {
  const failed = (id: string) => checks.some((c) => c.id === id && c.status === 'fail');
  if (!failed('pce-secret') || failed('smtp-secret') || failed('config')) return undefined;
  try {
    return await loadConfig(file, { ...ctx.env, [SECRET_ENV.pce]: 'not-used-by-the-smtp-checks' });
  } catch {
    return undefined;
  }
}

/** Add a skipped line for every check id (of `ids`) not yet reported. */
function fill(checks: CheckResult[], reason: string, ids: readonly string[] = CHECK_IDS): CheckResult[] {
  for (const id of ids) {
    if (!checks.some((c) => c.id === id)) checks.push(skip(id, reason));
  }
  return checks;
}

function finish(checks: CheckResult[], resolved: ResolvedConfig | undefined, ctx: Context): DoctorReport {
  const secrets = [
    ...(resolved ? secretsOf(resolved) : []),
    ...[ctx.env[SECRET_ENV.pce], ctx.env[SECRET_ENV.smtp]].filter((s): s is string => Boolean(s)),
  ];
  const clean = (s: string) => scrub(s, secrets);
  const ordered = [...checks].sort((a, b) => order(a.id) - order(b.id));
  const scrubbed = ordered.map((c) => (c.hint === undefined ? { ...c, detail: clean(c.detail) } : { ...c, detail: clean(c.detail), hint: clean(c.hint) }));
  return { ok: !scrubbed.some((c) => c.status === 'fail'), checks: scrubbed };
}

function order(id: string): number {
  const i = (CHECK_IDS as readonly string[]).indexOf(id);
  return i < 0 ? CHECK_IDS.length : i;
}
