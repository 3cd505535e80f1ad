import { ConditionType, Reason, type ConditionResult } from '../conditions.js';
import { send } from './http.js';

/**
 * Live proof that the registry's attachments bucket is private: anonymous (unsigned) S3 requests,
 * path-style, as any client on the network could make them. ListObjectsV2 (`GET /{bucket}?list-type=2`)
 * and, when an object key is given, GetObject (`GET /{bucket}/{key}`) must both be refused with
 * 403 AccessDenied (Amazon S3 API reference: ListObjectsV2, GetObject, "Error responses";
 * MinIO answers the same for a bucket without an anonymous policy). No credential is sent; object
 * contents are not read beyond the status line and are never reported.
 */

export interface AttachmentsProbeInput {
  /** S3 endpoint, e.g. https://sr-minio.sr.svc:9000. */
  readonly endpoint: string;
  readonly bucket: string;
  /** An object known to exist (e.g. one attachment): its anonymous GET must be refused too. */
  readonly objectKey?: string;
  readonly timeoutMs: number;
  readonly ca?: string;
}

const result = (ok: boolean, reason: Reason, message: string): ConditionResult => ({ type: ConditionType.AttachmentsPrivate, status: ok ? 'True' : 'False', reason, message });

/** The `<Code>` of an S3 XML error body. */
export function s3ErrorCode(text: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
}

type Step = { refused: true; code: string } | ConditionResult;

async function anonymous(input: AttachmentsProbeInput, path: string, what: string): Promise<Step> {
  const base = input.endpoint.replace(/\/+$/, '');
  const where = `S3 ${base}`;
  let url: URL;
  try {
    url = new URL(`${base}${path}`);
  } catch {
    return result(false, Reason.S3Error, `"${input.endpoint}" is not a URL`);
  }
  const answer = await send({ type: ConditionType.AttachmentsPrivate, method: 'GET', url, timeoutMs: input.timeoutMs, ca: input.ca, where });
  if ('type' in answer) return answer;
  const code = s3ErrorCode(answer.text) ?? '';
  if (answer.status === 403) return { refused: true, code: code || 'HTTP 403' };
  if (code === 'NoSuchBucket') return result(false, Reason.BucketNotFound, `${where} has no bucket "${input.bucket}" (NoSuchBucket): check dataTier.probes.attachments.bucket`);
  if (answer.status >= 200 && answer.status < 300) return result(false, what === 'list' ? Reason.PubliclyListable : Reason.PubliclyReadable, `${where} ${what === 'list' ? `lists bucket "${input.bucket}"` : `serves object "${input.objectKey ?? ''}" of bucket "${input.bucket}"`} to an anonymous caller (HTTP ${String(answer.status)}): remove the anonymous policy (mc anonymous set none)`);
  return result(false, Reason.S3Error, `${where} answered the anonymous ${what} of bucket "${input.bucket}" with HTTP ${String(answer.status)}${code ? ` ${code}` : ''}`);
}

/** Runs the probe; never throws. */
export async function probeAttachments(input: AttachmentsProbeInput): Promise<ConditionResult> {
  const bucket = encodeURIComponent(input.bucket);
  const list = await anonymous(input, `/${bucket}?list-type=2`, 'list');
  if (!('refused' in list)) return list;
  const steps = [`anonymous list refused (${list.code})`];
  if (input.objectKey !== undefined) {
    const get = await anonymous(input, `/${bucket}/${input.objectKey.split('/').map(encodeURIComponent).join('/')}`, 'read');
    if (!('refused' in get)) return get;
    steps.push(`anonymous read of the object refused (${get.code})`);
  }
  return result(true, Reason.AnonymousDenied, `S3 ${input.endpoint.replace(/\/+$/, '')} bucket "${input.bucket}": ${steps.join(', ')}`);
}
