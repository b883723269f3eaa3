/**
 * IPv4 and IPv6 addresses and CIDR blocks for the IpAddress / NotIpAddress condition operators.
 * Addresses are held as two 64-bit halves (BigInt-free: four 32-bit words) so matching allocates nothing.
 * See IAM User Guide, "IAM JSON policy elements: Condition operators", IP address condition operators.
 */

/** A parsed CIDR block: the network as four 32-bit words (IPv4 mapped into the last word) and the prefix. */
export interface Cidr {
  v6: boolean;
  words: Uint32Array;
  prefix: number;
}

function parseIpv4(text: string, out: Uint32Array): boolean {
  // Dotted quad, no leading zeros (as inet_pton), parsed without allocating.
  let value = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 46; /* a final '.' closes the last part */
    if (c >= 48 && c <= 57) {
      if (digits > 0 && part === 0) return false;
      part = part * 10 + (c - 48);
      if (part > 255 || ++digits > 3) return false;
    } else if (c === 46) {
      if (digits === 0) return false;
      value = value * 256 + part;
      part = 0;
      digits = 0;
      if (i < text.length && ++dots > 3) return false;
    } else return false;
  }
  if (dots !== 3) return false;
  out[0] = 0;
  out[1] = 0;
  out[2] = 0;
  out[3] = value >>> 0;
  return true;
}

function parseIpv6(text: string, out: Uint32Array): boolean {
  if (text.length < 2 || text.length > 45) return false;
  const halves = text.split('::');
  if (halves.length > 2) return false;
  const groups: number[] = [];
  const parseGroups = (section: string, allowV4Tail: boolean): number[] | undefined => {
    if (section === '') return [];
    const items = section.split(':');
    const result: number[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i] ?? '';
      if (allowV4Tail && i === items.length - 1 && item.includes('.')) {
        const v4 = new Uint32Array(4);
        if (!parseIpv4(item, v4)) return undefined;
        const w = v4[3] ?? 0;
        result.push(w >>> 16, w & 0xffff);
        continue;
      }
      if (!/^[0-9a-fA-F]{1,4}$/.test(item)) return undefined;
      result.push(Number.parseInt(item, 16));
    }
    return result;
  };
  if (halves.length === 2) {
    const head = parseGroups(halves[0] ?? '', false);
    const tail = parseGroups(halves[1] ?? '', true);
    if (!head || !tail || head.length + tail.length > 7) return false;
    groups.push(...head);
    for (let i = head.length + tail.length; i < 8; i++) groups.push(0);
    groups.push(...tail);
  } else {
    const all = parseGroups(text, true);
    if (all?.length !== 8) return false;
    groups.push(...all);
  }
  for (let i = 0; i < 4; i++) {
    out[i] = (((groups[2 * i] ?? 0) << 16) | (groups[2 * i + 1] ?? 0)) >>> 0;
  }
  return true;
}

/** Parses an IPv4 or IPv6 address into `out`; returns 4 or 6 for the family, 0 when it is not an address. */
export function parseIp(text: string, out: Uint32Array): 0 | 4 | 6 {
  if (text.includes(':')) return parseIpv6(text, out) ? 6 : 0;
  return parseIpv4(text, out) ? 4 : 0;
}

/** Parses `a.b.c.d/n`, `x::y/n`, or a bare address (a /32 or /128 block); undefined when malformed. */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash < 0 ? text : text.slice(0, slash);
  const words = new Uint32Array(4);
  const family = parseIp(address.trim(), words);
  if (family === 0) return undefined;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const prefixText = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(prefixText)) return undefined;
    prefix = Number(prefixText);
    if (prefix > max) return undefined;
  }
  return { v6: family === 6, words, prefix: family === 4 ? prefix + 96 : prefix };
}

/** True when the address in `ip` (family `family`, as filled by parseIp) lies within `cidr`. */
export function cidrContains(cidr: Cidr, family: 4 | 6, ip: Uint32Array): boolean {
  if ((family === 6) !== cidr.v6) return false;
  let remaining = cidr.prefix;
  for (let i = 0; i < 4; i++) {
    const start = family === 4 && i < 3;
    if (start) {
      remaining -= 32;
      continue;
    }
    if (remaining <= 0) return true;
    const bits = Math.min(remaining, 32);
    const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
    if (((ip[i] ?? 0) & mask) >>> 0 !== ((cidr.words[i] ?? 0) & mask) >>> 0) return false;
    remaining -= bits;
  }
  return true;
}
