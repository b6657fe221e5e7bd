/**
 * Doctor, PCE API part: the key authenticates, it can read the org's events
 * and traffic, and the PCE's clock agrees with ours. Requests go through the
 * monitor's own PceClient (same TLS, same auth, same error texts), one try
 * each: doctor reports, it does not wait out an outage.
 */
import got from 'got';
import type { Context } from '../context.js';
import { errorMessage, PceError } from '../errors.js';
import { PceClient } from '../pce/client.js';
import { readCaFile } from '../pce/client-helpers.js';
import type { ResolvedConfig } from '../types.js';
import { fail, pass, warn, type CheckResult } from './check.js';

const SKEW_WARN_S = 60;
const SKEW_FAIL_S = 300;

export async function pceApiChecks(config: ResolvedConfig, ctx: Context): Promise<CheckResult[]> {
  const client = new PceClient(config.pce, { clock: ctx.clock, log: ctx.log, retryMaxAttempts: 0, retryBudgetMs: 0 });
  try {
    const auth = await authCheck(client, config);
    if (auth.check.status === 'fail') return [auth.check];

    const org = await orgCheck(client, config, auth.orgs);
    const traffic = org.status === 'fail' ? undefined : await trafficCheck(client, config);
    return [auth.check, org, ...(traffic ? [traffic] : [])];
  } finally {
    client.close();
  }
}

async function authCheck(client: PceClient, config: ResolvedConfig): Promise<{ check: CheckResult; orgs: number[] }> {
  try {
    const res = await client.sendOnce('GET', '/users/login');
    const orgs = orgIds(res.body);
    return { check: pass('pce-auth', `API key ${config.pce.apiKey} accepted (GET /api/v2/users/login)`), orgs };
  } catch (err) {
    return { check: failure('pce-auth', err), orgs: [] };
  }
}

/** The orgs the key belongs to, from the /users/login answer (empty if unreadable). */
function orgIds(body: Buffer): number[] {
  try {
    const user = JSON.parse(body.toString('utf8')) as { orgs?: { org_id?: unknown }[] };
    return (user.orgs ?? []).map((o) => o.org_id).filter((id): id is number => typeof id === 'number');
  } catch {
    return [];
  }
}

async function orgCheck(client: PceClient, config: ResolvedConfig, orgs: number[]): Promise<CheckResult> {
  const org = config.pce.orgId;
  try {
    await client.sendOnce('GET', client.orgPath('/events'), { query: { max_results: 1 } });
    return pass('pce-org', `org ${org}: events readable`);
  } catch (err) {
    const check = failure('pce-org', err);
    const belongs = orgs.length ? `; this key belongs to org ${orgs.join(', ')}` : '';
    return { ...check, hint: `${check.hint ?? 'check pce.orgId and the API key role'}${belongs}` };
  }
}

async function trafficCheck(client: PceClient, config: ResolvedConfig): Promise<CheckResult> {
  const org = config.pce.orgId;
  try {
    await client.sendOnce('GET', client.orgPath('/traffic_flows/async_queries'));
    return pass('pce-traffic', `org ${org}: traffic queries readable`);
  } catch (err) {
    const check = failure('pce-traffic', err);
    const used = config.rules.some((r) => r.type === 'traffic' && r.enabled !== false);
    if (used) return check;
    return warn('pce-traffic', `${check.detail} (no traffic rule is enabled yet)`, check.hint ?? 'give the API key a role that may read traffic');
  }
}

function failure(id: string, err: unknown): CheckResult {
  if (err instanceof PceError) return fail(id, err.message, err.hint);
  return fail(id, errorMessage(err));
}

/**
 * The PCE's Date header against our clock. Events are read by time window,
 * so a clock minutes off makes runs miss or re-read events.
 */
export async function clockCheck(config: ResolvedConfig, ctx: Context): Promise<CheckResult> {
  let date: string | undefined;
  try {
    const ca = config.pce.verifyTls && config.pce.caFile ? readCaFile(config.pce.caFile) : undefined;
    const res = await got(`${new URL(config.pce.url).origin}/api/v2/node_available`, {
      https: { certificateAuthority: ca, rejectUnauthorized: config.pce.verifyTls },
      timeout: { request: config.pce.timeoutMs },
      retry: { limit: 0 },
      throwHttpErrors: false,
      followRedirect: false,
    });
    date = res.headers.date;
  } catch (err) {
    return fail('clock-skew', `cannot read the PCE's Date header: ${errorMessage(err)}`);
  }

  const pceTime = date === undefined ? NaN : Date.parse(date);
  if (Number.isNaN(pceTime)) return warn('clock-skew', 'the PCE sent no usable Date header', 'compare the clocks by hand (date -u on both hosts)');

  const skew = Math.round((pceTime - ctx.clock.now()) / 1000);
  const abs = Math.abs(skew);
  const side = skew > 0 ? 'ahead of' : 'behind';
  const detail = abs <= 1 ? "PCE clock agrees with this host's within 1 s" : `PCE clock is ${abs} s ${side} this host's`;
  const hint = 'sync both clocks with NTP (chronyc tracking / timedatectl): event windows depend on them';
  if (abs > SKEW_FAIL_S) return fail('clock-skew', `${detail} (more than ${SKEW_FAIL_S} s)`, hint);
  if (abs > SKEW_WARN_S) return warn('clock-skew', `${detail} (more than ${SKEW_WARN_S} s)`, hint);
  return pass('clock-skew', detail);
}
