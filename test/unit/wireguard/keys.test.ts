import { describe, expect, it } from 'vitest';
import { generateKeyPair, generatePresharedKey, generatePrivateKey, isWireguardKey, publicKeyFromPrivate, wireguardKeyProblem } from '../../../charts-src/wireguard/keys.js';

const b64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');

/** RFC 7748 section 6.1 (X25519 Diffie-Hellman): Alice's and Bob's key pairs. */
const RFC7748 = [
  { name: 'Alice', priv: '77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a', pub: '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a' },
  { name: 'Bob', priv: '5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb', pub: 'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f' },
];

/** Counts up from `start`: deterministic "randomness" for tests. */
function counter(start: number) {
  return (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) % 256);
}

describe('WireGuard keys', () => {
  it.each(RFC7748)('derives the RFC 7748 public key of $name', ({ priv, pub }) => {
    expect(publicKeyFromPrivate(b64(priv))).toBe(b64(pub));
  });

  it('gives the public key wg pubkey prints, in the same base64 format', () => {
    // `echo dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo= | wg pubkey` (wireguard-tools v1.0.20210914).
    expect(publicKeyFromPrivate('dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=')).toBe('hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=');
  });

  it('clamps generated private keys like wg genkey', () => {
    const key = Buffer.from(generatePrivateKey(() => new Uint8Array(32).fill(0xff)), 'base64');
    expect(key[0]).toBe(0xf8);
    expect(key[31]).toBe(0x7f);
    expect(key.subarray(1, 31).every((b) => b === 0xff)).toBe(true);
  });

  it('generates the same pair from the same injected randomness', () => {
    const a = generateKeyPair(counter(7));
    const b = generateKeyPair(counter(7));
    expect(a).toEqual(b);
    expect(a.publicKey).toBe(publicKeyFromPrivate(a.privateKey));
    expect(isWireguardKey(a.privateKey) && isWireguardKey(a.publicKey)).toBe(true);
  });

  it('generates different pairs from the default CSPRNG', () => {
    expect(generateKeyPair().privateKey).not.toBe(generateKeyPair().privateKey);
  });

  it('makes preshared keys of 32 unclamped random bytes', () => {
    expect(generatePresharedKey(() => new Uint8Array(32).fill(0xff))).toBe(Buffer.alloc(32, 0xff).toString('base64'));
  });

  it('rejects randomness of the wrong length', () => {
    expect(() => generateKeyPair(() => new Uint8Array(16))).toThrow('randomBytes returned 16 bytes, expected 32');
  });

  it.each([
    { name: 'a valid key', key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=', problem: undefined },
    { name: 'a key with a trailing newline', key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=\n', problem: 'has leading or trailing whitespace' },
    { name: 'a short key', key: 'abc=', problem: 'must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 4 characters)' },
    { name: 'base64url instead of base64', key: 'hSDwCYkwp1R0i33ctD73Wg2_Og0mOBr066SpjqqbTmo=', problem: 'must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 44 characters)' },
    { name: 'non-canonical padding bits', key: 'hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmp=', problem: 'must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 44 characters)' },
  ])('judges $name', ({ key, problem }) => {
    expect(wireguardKeyProblem(key)).toBe(problem);
    expect(isWireguardKey(key)).toBe(problem === undefined);
  });

  it('never echoes a malformed private key in the error', () => {
    const secretish = 'S3CR3T-not-a-real-key';
    expect(() => publicKeyFromPrivate(secretish)).toThrow('private key must be 44 characters of base64 encoding 32 bytes, as printed by `wg genkey`/`wg pubkey` (got 21 characters)');
    try {
      publicKeyFromPrivate(secretish);
    } catch (e) {
      expect(String(e)).not.toContain(secretish);
    }
  });
});
