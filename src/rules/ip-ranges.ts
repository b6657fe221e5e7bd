/**
 * Address and CIDR lists compiled to integer ranges, so a flow's IP is
 * parsed once and compared with plain numbers (IPv4) or bigints (IPv6)
 * against every rule. IPv4-mapped IPv6 addresses count as IPv4.
 */
import ipaddr from 'ipaddr.js';

export type ParsedIp = { v: 4; n: number } | { v: 6; n: bigint };

export interface IpRanges {
  v4: [number, number][];
  v6: [bigint, bigint][];
}

/** Compile `10.0.0.0/8`, `10.0.0.5`, `fd00::/8`...; throws on a bad entry. */
export function compileIpRanges(entries: readonly string[]): IpRanges {
  const ranges: IpRanges = { v4: [], v6: [] };

  for (const entry of entries) {
    const [addr, prefix] = parseEntry(entry);
    if (addr.kind() === 'ipv4') {
      const n = bytesToNumber(addr.toByteArray());
      const size = 2 ** (32 - prefix);
      const lo = n - (n % size);
      ranges.v4.push([lo, lo + size - 1]);
    } else {
      const n = bytesToBigint(addr.toByteArray());
      const size = 1n << BigInt(128 - prefix);
      const lo = n - (n % size);
      ranges.v6.push([lo, lo + size - 1n]);
    }
  }
  return ranges;
}

function parseEntry(entry: string): [ipaddr.IPv4 | ipaddr.IPv6, number] {
  const text = entry.trim();
  if (text.includes('/')) {
    const [addr, prefix] = ipaddr.parseCIDR(text);
    const plain = normalise(addr);
    // `::ffff:10.0.0.0/104` is the IPv4 block 10.0.0.0/8.
    return [plain, plain.kind() === addr.kind() ? prefix : Math.max(0, prefix - 96)];
  }
  if (!ipaddr.isValid(text)) throw new Error(`not an IP address or CIDR block: ${entry}`);
  const addr = normalise(ipaddr.parse(text));
  return [addr, addr.kind() === 'ipv4' ? 32 : 128];
}

function normalise(addr: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (addr as ipaddr.IPv6).toIPv4Address();
  }
  return addr;
}

export function inRanges(ip: ParsedIp | undefined, ranges: IpRanges): boolean {
  if (!ip) return false;

  if (ip.v === 4) {
    for (const [lo, hi] of ranges.v4) if (ip.n >= lo && ip.n <= hi) return true;
    return false;
  }
  for (const [lo, hi] of ranges.v6) if (ip.n >= lo && ip.n <= hi) return true;
  return false;
}

/** Parse a flow's address; undefined when absent or not an address. */
export function parseIp(text: unknown): ParsedIp | undefined {
  if (typeof text !== 'string' || text === '') return undefined;

  const v4 = parseDottedQuad(text);
  if (v4 !== undefined) return { v: 4, n: v4 };

  if (!ipaddr.IPv6.isValid(text)) return undefined;
  const addr = normalise(ipaddr.IPv6.parse(text));
  if (addr.kind() === 'ipv4') return { v: 4, n: bytesToNumber(addr.toByteArray()) };
  return { v: 6, n: bytesToBigint(addr.toByteArray()) };
}

// The common case, by character codes, without the generality (hex, octal,
// short forms) of ipaddr.js: this runs for every flow.
function parseDottedQuad(text: string): number | undefined {
  let n = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;

  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return undefined;
    } else if (c === 46 && digits > 0 && dots < 3) {
      n = n * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 ? n * 256 + octet : undefined;
}

function bytesToNumber(bytes: number[]): number {
  return bytes.reduce((n, b) => n * 256 + b, 0);
}

function bytesToBigint(bytes: number[]): bigint {
  return bytes.reduce((n, b) => (n << 8n) | BigInt(b), 0n);
}
