/**
 * The simulator's URL table: unauthenticated node_available, then Basic
 * auth, the rate limit, the global paths and the org-scoped ones.
 */
import { json, methodNotAllowed, notFound, pceError, type Reply, type SimRequest } from './pce-sim-http.js';
import { getDatafile, getEvent, getJob, listEvents } from './pce-sim-events.js';
import { cancelQuery, createQuery, deleteQuery, downloadQuery, getQuery, listQueries } from './pce-sim-traffic.js';
import type { SimStore } from './pce-sim-store.js';

/** What the routes need from the simulator besides its store. */
export interface SimIdentity extends SimStore {
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly orgId: number;
  readonly rateLimit: { take(key: string): number | undefined };
}

const PREFIX = '/api/v2';

export function routeRequest(sim: SimIdentity, req: SimRequest): Reply {
  if (!req.path.startsWith(`${PREFIX}/`)) return notFound(req.path);
  const path = req.path.slice(PREFIX.length);

  if (path === '/node_available') return sim.nodeAvailable ? json(200, {}) : pceError(404, 'not_available', 'Node not available');

  const user = authenticate(sim, req.headers.authorization);
  if (!user) return pceError(401, 'authentication_failed', 'Authentication failed: invalid API key or secret');

  const wait = sim.rateLimit.take(user);
  if (wait !== undefined) {
    return { ...pceError(429, 'too_many_requests', 'API rate limit exceeded'), headers: { 'Retry-After': String(wait) } };
  }

  const org = /^\/orgs\/(\d+)(\/.*)?$/.exec(path);
  if (!org) return routeGlobal(sim, req, path);
  if (Number(org[1]) !== sim.orgId) return pceError(403, 'forbidden', `Access to org ${org[1]} is not allowed for this user`);

  return routeOrg(sim, { ...req, path }, org[2] ?? '/');
}

function authenticate(sim: SimIdentity, header: string | undefined): string | undefined {
  const m = /^Basic\s+(\S+)$/i.exec(header ?? '');
  if (!m?.[1]) return undefined;

  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const user = decoded.slice(0, colon);
  const pass = decoded.slice(colon + 1);
  return colon > 0 && user === sim.apiKey && pass === sim.apiSecret ? user : undefined;
}

function routeGlobal(sim: SimIdentity, req: SimRequest, path: string): Reply {
  if (req.method !== 'GET') return methodNotAllowed(req.method, path);

  switch (path) {
    case '/health':
      return json(200, sim.health);
    case '/product_version':
      return json(200, { version: '23.5.10', build: 1842, long_display: '23.5.10-1842', short_display: '23.5.10' });
    case '/noop':
      return json(200, {});
    case '/users/login':
      return json(200, loginUser(sim));
    default:
      return notFound(path);
  }
}

function routeOrg(sim: SimIdentity, req: SimRequest, rest: string): Reply {
  const { method, path } = req;
  const id = (prefix: string) => new RegExp(`^/${prefix}/([0-9a-f-]{8,})$`).exec(rest)?.[1];

  if (rest === '/events') return method === 'GET' ? listEvents(sim, sim.orgId, req) : methodNotAllowed(method, path);
  if (/^\/events\/[^/]+$/.test(rest)) return getEvent(sim, path);

  const job = id('jobs');
  if (job) return method === 'DELETE' ? deleteJob(sim, job) : getJob(sim, sim.orgId, job, path);
  const file = id('datafiles');
  if (file) return getDatafile(sim, file, path);

  return routeTraffic(sim, req, rest);
}

function routeTraffic(sim: SimIdentity, req: SimRequest, rest: string): Reply {
  const { method, path } = req;
  const m = /^\/traffic_flows\/async_queries(?:\/([0-9a-f-]+))?(\/download)?$/.exec(rest);
  if (!m) return notFound(path);

  const [, uuid, download] = m;
  if (!uuid) {
    if (method === 'GET') return listQueries(sim);
    return method === 'POST' ? createQuery(sim, sim.orgId, req) : methodNotAllowed(method, path);
  }
  if (download) return method === 'GET' ? downloadQuery(sim, uuid, req) : methodNotAllowed(method, path);

  switch (method) {
    case 'GET':
      return getQuery(sim, uuid, path);
    case 'PUT':
      return cancelQuery(sim, uuid, path);
    case 'DELETE':
      return deleteQuery(sim, uuid, path);
    default:
      return methodNotAllowed(method, path);
  }
}

function deleteJob(sim: SimIdentity, uuid: string): Reply {
  return sim.jobs.delete(uuid) ? { status: 204 } : notFound(`/jobs/${uuid}`);
}

function loginUser(sim: SimIdentity): unknown {
  return {
    href: '/users/1',
    auth_username: sim.apiKey,
    full_name: 'Monitor Service',
    type: 'local',
    orgs: [{ org_id: sim.orgId, org_href: `/orgs/${sim.orgId}`, display_name: 'Example Org', role_scopes: [] }],
  };
}
