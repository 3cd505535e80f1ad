import { z } from 'zod';

/**
 * The `wireguard` section of a RegistryDeployment: the admin gateway that replaces the hand-run
 * bastion. Placeholder shape; the WireGuard issue (3) fills it in.
 */
export const wireguardSchema = z.strictObject({
    enabled: z.boolean().default(false).describe('Deploy the WireGuard admin gateway.'),
  })
  .describe('WireGuard admin gateway: the only way administrators reach internal consoles.');

export type WireguardSpec = z.infer<typeof wireguardSchema>;
