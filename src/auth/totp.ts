/**
 * Time-based one-time passwords as virtual MFA devices use them: RFC 6238 over HMAC-SHA-1 (RFC
 * 4226), 6 digits, 30-second steps; seeds in RFC 4648 base32. Verification looks at the current
 * step and one step either side, and reports the step that matched so a caller can refuse a code
 * used before ("a code never accepted twice").
 */

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
/** RFC 6238 section 4: X, the time step, 30 seconds by default. */
export const STEP_SECONDS = 30;

/** RFC 4648 base32 without padding. */
export function base32Encode(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Decodes RFC 4648 base32 (padding and case ignored); undefined on a character outside the alphabet. */
export function base32Decode(text: string): Uint8Array | undefined {
  const clean = text.replace(/=+$/, '').toUpperCase();
  const out: number[] = [];
  let bits = 0;
  let value = 0;
  for (const ch of clean) {
    const v = ALPHABET.indexOf(ch);
    if (v < 0) return undefined;
    value = (value << 5) | v;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 255);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

/** A new 40-byte seed in base32 (the length AWS's virtual MFA seeds have: 64 characters). */
export function newSeed(): string {
  return base32Encode(randomBytes(40));
}

/** The code for one time step (RFC 4226 section 5.3, dynamic truncation). */
export function codeAt(seed: Uint8Array, step: number, digits = 6): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac('sha1', seed).update(counter).digest();
  const offset = (mac[mac.length - 1] as number) & 15;
  const binary = (mac.readUInt32BE(offset) & 0x7fffffff) % 10 ** digits;
  return String(binary).padStart(digits, '0');
}

/** The time step of a moment (seconds since the epoch). */
export function stepOf(seconds: number): number {
  return Math.floor(seconds / STEP_SECONDS);
}

/**
 * The step whose code equals `code`, searching `window` steps either side of `now`'s step (nearest
 * first); undefined when none matches. Codes are compared in constant time.
 */
export function matchStep(seed: Uint8Array, code: string, nowSeconds: number, window = 1): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const current = stepOf(nowSeconds);
  const given = Buffer.from(code);
  for (let d = 0; d <= window; d++) {
    for (const step of d === 0 ? [current] : [current - d, current + d]) {
      if (step >= 0 && timingSafeEqual(Buffer.from(codeAt(seed, step)), given)) return step;
    }
  }
  return undefined;
}
