import { describe, expect, it } from 'vitest';
import { gatewayAddress, hostRange, inSubnet, isReserved, nextFreeAddress, parseSubnet } from '../../../charts-src/wireguard/addresses.js';

describe('tunnel addresses', () => {
  it.each([
    { name: 'the first peer gets the address after the gateway', subnet: '10.15.0.0/24', gateway: '10.15.0.1', taken: [], next: '10.15.0.2/32' },
    { name: 'taken addresses are skipped', subnet: '10.15.0.0/24', gateway: '10.15.0.1', taken: ['10.15.0.2/32', '10.15.0.3/32'], next: '10.15.0.4/32' },
    { name: 'a gap left by a removed peer is reused first', subnet: '10.15.0.0/24', gateway: '10.15.0.1', taken: ['10.15.0.3/32'], next: '10.15.0.2/32' },
    { name: 'a gateway placed elsewhere frees the first host', subnet: '10.15.0.0/24', gateway: '10.15.0.254', taken: [], next: '10.15.0.1/32' },
    { name: 'allocation crosses octet boundaries', subnet: '10.15.0.0/23', gateway: '10.15.0.1', taken: Array.from({ length: 254 }, (_, i) => `10.15.0.${String(i + 2)}/32`).slice(0, 253), next: '10.15.0.255/32' },
    { name: 'a full subnet has no next address', subnet: '10.15.0.0/30', gateway: '10.15.0.1', taken: ['10.15.0.2/32'], next: undefined },
    { name: 'the subnet is normalised to its network address', subnet: '10.15.0.77/24', gateway: '10.15.0.1', taken: [], next: '10.15.0.2/32' },
  ])('$name', ({ subnet, gateway, taken, next }) => {
    expect(nextFreeAddress(subnet, gateway, taken)).toBe(next);
  });

  it('puts the gateway on the first host unless told otherwise', () => {
    expect(gatewayAddress('10.15.0.0/24')).toBe('10.15.0.1');
    expect(gatewayAddress('10.15.0.0/24', '10.15.0.9')).toBe('10.15.0.9');
  });

  it('knows the subnet bounds, network and broadcast', () => {
    const s = parseSubnet('10.15.0.0/24');
    expect(s.cidr).toBe('10.15.0.0/24');
    expect(hostRange(s)).toEqual({ first: 0x0a0f0001, last: 0x0a0f00fe });
    expect([inSubnet('10.15.0.200', s), inSubnet('10.15.1.0', s)]).toEqual([true, false]);
    expect([isReserved('10.15.0.0', s), isReserved('10.15.0.255', s), isReserved('10.15.0.5', s)]).toEqual([true, true, false]);
  });
});
