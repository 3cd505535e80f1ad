import { pino, type DestinationStream, type Logger } from 'pino';

/**
 * pino JSON logs with redaction: anything that could carry a secret value (Secret data, tokens,
 * client secrets, private keys, Authorization and Cookie headers) is replaced before it is written.
 * Reconcile code never puts values in log fields in the first place; this is the second belt.
 */
export const REDACT_PATHS: readonly string[] = [
  'data', '*.data', 'stringData', '*.stringData',
  'token', '*.token', 'access_token', '*.access_token',
  'clientSecret', '*.clientSecret', 'client_secret', '*.client_secret',
  'privateKey', '*.privateKey', 'password', '*.password',
  'headers.authorization', 'headers.cookie', '*.headers.authorization', '*.headers.cookie',
];

export function createLogger(options: { readonly level?: string; readonly destination?: DestinationStream } = {}): Logger {
  return pino(
    { name: 'ward-operator', level: options.level ?? 'info', redact: { paths: [...REDACT_PATHS], censor: '[REDACTED]' }, base: { component: 'ward-operator' } },
    options.destination,
  );
}
