/** What the Social Registry preset says about the chart beyond the spec: deliberately unmanaged workloads and the values gaps. */
export { socialRegistryUnmanaged, type UnmanagedWorkload } from './openg2p-social-registry.js';
export { SR_VALUES_GAPS } from './openg2p-social-registry-values.js';
