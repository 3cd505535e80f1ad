import { describe, expect, it } from 'vitest';
import { ConnSet } from '../../../policies/flows/connset.js';
import { cidrExcept, formatRange, parseCidr, partition } from '../../../policies/flows/ipset.js';

describe('connection sets', () => {
  it.each([
    ['everything prints as netpol-analyzer does', ConnSet.all, 'All Connections'],
    ['nothing', ConnSet.none, 'No Connections'],
    ['protocols sort SCTP, TCP, UDP', ConnSet.ports('UDP', 53).union(ConnSet.ports('TCP', 80)).union(ConnSet.ports('SCTP', 9999)), 'SCTP 9999,TCP 80,UDP 53'],
    ['adjacent ranges merge', ConnSet.ports('TCP', 10000, 10100).union(ConnSet.ports('TCP', 10101, 10200)), 'TCP 10000-10200'],
    ['a whole protocol', ConnSet.protocol('UDP'), 'UDP 1-65535'],
    ['intersection', ConnSet.ports('TCP', 1, 100).intersect(ConnSet.ports('TCP', 50, 200)), 'TCP 50-100'],
    ['subtraction splits a range', ConnSet.ports('TCP', 1, 100).subtract(ConnSet.ports('TCP', 50)), 'TCP 1-49,51-100'],
    ['all minus one protocol', ConnSet.all.subtract(ConnSet.protocol('TCP')), 'SCTP 1-65535,UDP 1-65535'],
  ])('%s', (_name, set, text) => {
    expect(set.toString()).toBe(text);
  });

  it('knows what it contains', () => {
    const s = ConnSet.ports('TCP', 8000, 8010);
    expect([s.contains('TCP', 8005), s.contains('TCP', 8011), s.contains('UDP', 8005)]).toEqual([true, false, false]);
  });
});

describe('IPv4 ranges', () => {
  it.each([
    ['a /8', '10.0.0.0/8', '10.0.0.0-10.255.255.255'],
    ['host bits are masked', '10.1.2.3/16', '10.1.0.0-10.1.255.255'],
    ['a bare address is a /32', '1.2.3.4', '1.2.3.4-1.2.3.4'],
    ['everything', '0.0.0.0/0', '0.0.0.0-255.255.255.255'],
  ])('parses %s', (_name, cidr, text) => {
    expect(formatRange(parseCidr(cidr)!)).toBe(text);
  });

  it('refuses what is not IPv4', () => {
    expect([parseCidr('fd00::/8'), parseCidr('10.0.0.0/33'), parseCidr('nope')]).toEqual([undefined, undefined, undefined]);
  });

  it('cuts excepts out of a block', () => {
    expect(cidrExcept(parseCidr('10.0.0.0/8')!, [parseCidr('10.1.0.0/16')!]).map(formatRange)).toEqual(['10.0.0.0-10.0.255.255', '10.2.0.0-10.255.255.255']);
  });

  it('partitions the address space at every boundary, as netpol-analyzer prints it', () => {
    expect(partition([parseCidr('10.0.0.0/8')!, parseCidr('10.1.0.0/16')!]).map(formatRange)).toEqual([
      '0.0.0.0-9.255.255.255', '10.0.0.0-10.0.255.255', '10.1.0.0-10.1.255.255', '10.2.0.0-10.255.255.255', '11.0.0.0-255.255.255.255',
    ]);
    expect(partition([]).map(formatRange)).toEqual(['0.0.0.0-255.255.255.255']);
  });
});
