import { createPrivateKey, createPublicKey, randomBytes as cryptoRandomBytes } from 'node:crypto';

/**
 * WireGuard keys: X25519, 32 bytes, standard base64 (44 characters ending in "="), byte-for-byte the
 * formats of `wg genkey`, `wg pubkey` and `wg genpsk`. Randomness is injected (STYLE.md 5); the
 * default is node:crypto's CSPRNG.
 */
export type RandomBytes = (size: number) => Uint8Array;

export interface KeyPair {
  /** Base64 private key: the only secret. Never log it, never put it in a manifest. */
  readonly privateKey: string;
  readonly publicKey: string;
}

const KEY_BYTES = 32;
/** DER prefix of a PKCS#8 X25519 private key (RFC 8410); the 32 key bytes follow. */
const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');

/** True when `s` is exactly the base64 encoding of 32 bytes (44 characters, canonical padding). */
export function isWireguardKey(s: string): boolean {
  if (!/^[A-Za-z0-9+/]{43}=$/.test(s)) return false;
  const bytes = Buffer.from(s, 'base64');
  return bytes.length === KEY_BYTES && bytes.toString('base64') === s;
}

/** Why `s` is not a WireGuard key, or undefined when it is one. Never echoes the value (it may be secret). */
export function wireguardKeyProblem(s: string): string | undefined {
  if (isWireguardKey(s)) return undefined;
  const trimmed = s.trim();
  if (trimmed !== s && isWireguardKey(trimmed)) return 'has leading or trailing whitespace';
  return `must be 44 characters of base64 encoding 32 bytes, as printed by \`wg genkey\`/\`wg pubkey\` (got ${String(s.length)} characters)`;
}

function keyBytes(key: string, what: string): Buffer {
  if (!isWireguardKey(key)) throw new Error(`${what} ${wireguardKeyProblem(key) ?? 'is malformed'}`);
  return Buffer.from(key, 'base64');
}

/** Clamps 32 random bytes into an X25519 secret scalar, as `wg genkey` does. */
function clamp(bytes: Uint8Array): Buffer {
  const k = Buffer.from(bytes);
  k[0] = (k[0] ?? 0) & 248;
  k[31] = ((k[31] ?? 0) & 127) | 64;
  return k;
}

function randomKeyBytes(randomBytes: RandomBytes): Uint8Array {
  const bytes = randomBytes(KEY_BYTES);
  if (bytes.length !== KEY_BYTES) throw new Error(`randomBytes returned ${String(bytes.length)} bytes, expected ${String(KEY_BYTES)}`);
  return bytes;
}

/** The public key of a base64 private key (`wg pubkey`). Throws with a message that never contains the key. */
export function publicKeyFromPrivate(privateKey: string): string {
  const d = keyBytes(privateKey, 'private key');
  const key = createPrivateKey({ key: Buffer.concat([PKCS8_X25519_PREFIX, d]), format: 'der', type: 'pkcs8' });
  const jwk = createPublicKey(key).export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('X25519 public key export returned no "x"');
  return Buffer.from(jwk.x, 'base64url').toString('base64');
}

/** A new private key (`wg genkey`): 32 random bytes, clamped, base64. */
export function generatePrivateKey(randomBytes: RandomBytes = cryptoRandomBytes): string {
  return clamp(randomKeyBytes(randomBytes)).toString('base64');
}

/** A new key pair; the private key is for the caller alone. */
export function generateKeyPair(randomBytes: RandomBytes = cryptoRandomBytes): KeyPair {
  const privateKey = generatePrivateKey(randomBytes);
  return { privateKey, publicKey: publicKeyFromPrivate(privateKey) };
}

/** A new preshared key (`wg genpsk`): 32 random bytes, base64, not clamped. */
export function generatePresharedKey(randomBytes: RandomBytes = cryptoRandomBytes): string {
  return Buffer.from(randomKeyBytes(randomBytes)).toString('base64');
}
