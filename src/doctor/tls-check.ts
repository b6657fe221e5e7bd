/**
 * Doctor: the PCE's TLS chain, verified the way the client will verify it
 * (pce.caFile, else the system CAs, and the host name of pce.url). When it
 * fails, say whether pce.caFile is what is missing and which CA issued the
 * certificate, so the operator knows which certificate to fetch.
 */
import net from 'node:net';
import tls, { type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import { MonitorError } from '../errors.js';
import { readCaFile } from '../pce/client-helpers.js';
import { fail, pass, warn, type CheckResult } from './check.js';
import type { Endpoint } from './network.js';
import { seconds } from './network.js';

const ID = 'pce-tls';
const SOON_MS = 14 * 86_400_000;

export interface TlsSettings {
  caFile: string | undefined;
  verifyTls: boolean;
  timeoutMs: number;
  now: number;
}

interface Handshake {
  cert: DetailedPeerCertificate;
  authorized: boolean;
  error: string | undefined;
}

export async function tlsCheck(ep: Endpoint, s: TlsSettings): Promise<CheckResult> {
  let ca: string | undefined;
  try {
    ca = s.caFile ? readCaFile(s.caFile) : undefined;
  } catch (err) {
    if (!(err instanceof MonitorError)) throw err;
    return fail(ID, err.message, err.hint);
  }

  const where = `${ep.host}:${ep.port}`;
  let hs: Handshake;
  try {
    hs = await handshake(ep, ca, s.timeoutMs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    return fail(ID, `TLS handshake with ${where} failed (${code})`, 'check that pce.url uses https and the PCE port');
  }

  const issuer = nameOf(hs.cert.issuer);
  const trust = s.caFile ? `pce.caFile ${s.caFile}` : 'the system CAs';
  if (!hs.authorized) return untrusted(where, hs, issuer, s);
  if (!s.verifyTls) return warn(ID, `certificate verifies against ${trust}, but pce.verifyTls is false`, 'set pce.verifyTls to true');

  const until = Date.parse(hs.cert.valid_to);
  const detail = `certificate for ${nameOf(hs.cert.subject)} issued by ${issuer} verifies against ${trust}; valid until ${new Date(until).toISOString()}`;
  if (until - s.now < SOON_MS) return warn(ID, detail, "renew the PCE's certificate before it expires");
  return pass(ID, detail);
}

function untrusted(where: string, hs: Handshake, issuer: string, s: TlsSettings): CheckResult {
  const code = hs.error ?? 'not trusted';
  const off = s.verifyTls ? '' : ' (pce.verifyTls is false, so the monitor accepts it anyway)';
  const report = s.verifyTls ? fail : warn;

  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    const dates = `valid ${new Date(Date.parse(hs.cert.valid_from)).toISOString()} to ${new Date(Date.parse(hs.cert.valid_to)).toISOString()}`;
    return report(ID, `certificate of ${where} is outside its validity dates (${code}, ${dates})${off}`, "renew the PCE's certificate, or check this host's clock");
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return report(ID, `certificate of ${where} does not name ${where.replace(/:\d+$/, '')} (it names ${hs.cert.subjectaltname ?? nameOf(hs.cert.subject)})${off}`, 'use a host name the certificate names in pce.url');
  }
  if (s.caFile) {
    return report(ID, `certificate of ${where} issued by ${issuer} is not trusted by pce.caFile ${s.caFile} (${code})${off}`, `pce.caFile does not hold the CA that issued the PCE certificate: replace it with the PEM certificate of ${issuer}`);
  }
  return report(ID, `certificate of ${where} issued by ${issuer} is not trusted by the system CAs (${code})${off}`, `pce.caFile is needed: save the PEM certificate of the CA ${issuer} and run: illumio-monitor config set pce.caFile FILE`);
}

/** Handshake without rejecting, to see the certificate and why it would be refused. */
function handshake(ep: Endpoint, ca: string | undefined, timeoutMs: number): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({
      host: ep.host,
      port: ep.port,
      servername: net.isIP(ep.host) ? undefined : ep.host,
      ca,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timeout'), { code: `no handshake within ${seconds(timeoutMs)} s` }));
    }, timeoutMs);

    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const error = socket.authorizationError;
      resolve({ cert: socket.getPeerCertificate(true), authorized: socket.authorized, error: error ? String((error as { code?: string }).code ?? error) : undefined });
      socket.end();
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** `CN=PCE Root CA, O=Example` from a certificate name. */
function nameOf(name: PeerCertificate['issuer'] | undefined): string {
  if (!name) return 'an unknown issuer';
  const parts = (['CN', 'OU', 'O', 'C'] as const).flatMap((k) => {
    const v = (name as unknown as Record<string, string | string[] | undefined>)[k];
    return v === undefined ? [] : [`${k}=${Array.isArray(v) ? v.join('+') : v}`];
  });
  return parts.length ? parts.join(', ') : 'an unnamed issuer';
}
