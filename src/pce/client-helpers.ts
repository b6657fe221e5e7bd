/**
 * Small pieces of the PCE client: paths, the origin, the CA file.
 */
import { readFileSync } from 'node:fs';
import { PceError } from '../errors.js';

/**
 * `/api/v2` + path for an API path or a PCE href (hrefs omit `/api/v2`;
 * Location headers may be absolute URLs or already carry it). Only the path
 * of an absolute URL is used, so credentials never go to another host.
 */
export function apiPath(pathOrHref: string): string {
  let p = /^https?:\/\//i.test(pathOrHref) ? new URL(pathOrHref).pathname : pathOrHref;
  if (!p.startsWith('/')) p = `/${p}`;
  return p.startsWith('/api/v2/') ? p : `/api/v2${p}`;
}

export function originOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    throw new PceError('PCE_URL', `pce.url is not a URL`, { hint: 'use https://pce.example.com:8443' });
  }
}

export function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'unreadable';
    throw new PceError('PCE_CA_FILE', `cannot read pce.caFile ${file} (${code})`, {
      hint: "point pce.caFile at the PCE's CA certificate (PEM)",
    });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new PceError('PCE_CA_FILE', `pce.caFile ${file} holds no PEM certificate`, {
      hint: 'export the CA certificate in PEM form (-----BEGIN CERTIFICATE-----)',
    });
  }
  return pem;
}

export function stringValues(query: Record<string, string | number>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).map(([k, v]) => [k, String(v)]));
}

export function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}
