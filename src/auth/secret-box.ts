/**
 * Encryption at rest for secrets (secret access keys, TOTP seeds): AES-256-GCM under the master key,
 * a fresh 96-bit nonce per value (NIST SP 800-38D, section 8.2), the 128-bit tag checked on open.
 * The text form is `v1.<nonce b64url>.<ciphertext b64url>.<tag b64url>`; `aad` binds a value to its
 * owner (an access key's ID), so a ciphertext copied onto another row does not decrypt.
 */

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/** Errors of the secret box; the message never contains key material or plaintext. */
export class SecretBoxError extends Error {
  readonly code = 'InvalidCiphertext';
}

/** A master key, checked to be 32 bytes. */
export class SecretBox {
  private readonly key: Buffer;

  /** Wraps a 32-byte key. */
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new SecretBoxError('the master key must be 32 bytes');
    this.key = Buffer.from(key);
  }

  /**
   * Reads a master key written as 64 hex characters or as base64 of 32 bytes (BASALT_MASTER_KEY or
   * the key file); throws a SecretBoxError saying which forms are accepted.
   */
  static fromText(text: string): SecretBox {
    const t = text.trim();
    if (/^[0-9a-fA-F]{64}$/.test(t)) return new SecretBox(Buffer.from(t, 'hex'));
    const b = Buffer.from(t, 'base64');
    if (b.length === 32) return new SecretBox(b);
    throw new SecretBoxError('the master key must be 64 hex characters or the base64 form of 32 bytes');
  }

  /** A new random master key in its text form (64 hex characters). */
  static generateText(): string {
    return randomBytes(32).toString('hex');
  }

  /** A short, non-secret fingerprint of the key, to tell keys apart in logs. */
  fingerprint(): string {
    return createHash('sha256').update('basalt-master-key-fingerprint').update(this.key).digest('hex').slice(0, 12);
  }

  /** Encrypts a secret, bound to `aad`. */
  seal(plaintext: string, aad: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return `v1.${nonce.toString('base64url')}.${body.toString('base64url')}.${tag.toString('base64url')}`;
  }

  /** Decrypts a value sealed with the same key and aad; throws SecretBoxError otherwise. */
  open(sealed: string, aad: string): string {
    const parts = sealed.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1') throw new SecretBoxError('not a sealed value');
    const nonce = Buffer.from(parts[1] ?? '', 'base64url');
    const tag = Buffer.from(parts[3] ?? '', 'base64url');
    // INVARIANT: the whole 128-bit tag is checked. GCM would accept a truncated tag (4 to 16
    // bytes) and check only that prefix, which makes forgery far easier.
    if (nonce.length !== 12 || tag.length !== 16) throw new SecretBoxError('not a sealed value');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, nonce, { authTagLength: 16 });
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(parts[2] ?? '', 'base64url')), decipher.final()]).toString(
        'utf8',
      );
    } catch {
      throw new SecretBoxError('the sealed value does not open with this master key');
    }
  }
}
