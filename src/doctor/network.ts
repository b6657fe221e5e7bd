/**
 * Doctor, network part: does the host name resolve, does the port accept a
 * TCP connection. Shared by the PCE and the SMTP relay checks.
 */
import { promises as dns } from 'node:dns';
import net from 'node:net';
import { fail, pass, type CheckResult } from './check.js';

export interface Endpoint {
  host: string;
  port: number;
}

/** Host and port of pce.url (default port by scheme); brackets of IPv6 removed. */
export function urlEndpoint(url: string): Endpoint & { https: boolean } {
  const u = new URL(url);
  const https = u.protocol === 'https:';
  const port = u.port ? Number(u.port) : https ? 443 : 80;
  return { host: u.hostname.replace(/^\[|\]$/g, ''), port, https };
}

export async function dnsCheck(id: string, host: string, setting: string): Promise<CheckResult> {
  if (net.isIP(host)) return pass(id, `${host} is an IP address (no lookup needed)`);

  try {
    const addresses = await dns.lookup(host, { all: true });
    return pass(id, `${host} resolves to ${addresses.map((a) => a.address).join(', ')}`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    return fail(id, `${host} does not resolve (${code})`, `check the host name in ${setting} and this host's DNS (/etc/resolv.conf)`);
  }
}

/** Connect and hang up; nothing is sent. */
export function tcpCheck(id: string, ep: Endpoint, timeoutMs: number, upHint: string): Promise<CheckResult> {
  const where = `${ep.host}:${ep.port}`;
  return new Promise((resolve) => {
    const socket = net.connect({ host: ep.host, port: ep.port });
    const done = (result: CheckResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => {
      done(fail(id, `no answer from ${where} within ${seconds(timeoutMs)} s`, 'a firewall may drop the traffic: check the network path from this host'));
    }, timeoutMs);

    socket.once('connect', () => done(pass(id, `${where} accepts connections`)));
    socket.once('error', (err: NodeJS.ErrnoException) => {
      const code = err.code ?? 'error';
      const hint = code === 'ECONNREFUSED' ? upHint : 'check the network path from this host';
      done(fail(id, `cannot connect to ${where} (${code})`, hint));
    });
  });
}

export function seconds(ms: number): number {
  return Math.round(ms / 100) / 10;
}
