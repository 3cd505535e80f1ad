/**
 * What the loader hands to the index: Kubernetes objects with their origin (file, document index,
 * line, column, Helm template), and input problems as data.
 */
import type { KubeObject } from '../../charts-src/kube.js';
import type { SourceLocation } from '../types.js';

/** A path into an object, e.g. ['spec', 'template', 'spec', 'containers', 0, 'image']. */
export type FieldPath = readonly (string | number)[];

/** Facts about a Secret computed in the loader; values never leave it. */
export interface SecretFacts {
  /** Keys of `data` and `stringData`. */
  readonly keys: readonly string[];
  /** Keys whose value is weak, with why (never the value itself). */
  readonly weak: readonly { readonly key: string; readonly reason: 'empty' | 'short' | 'known-default' }[];
  /** Credential keys holding a documented component default, by `KNOWN_DEFAULTS` id (never the value); not in `weak`. */
  readonly defaults?: readonly { readonly key: string; readonly id: string }[];
  /** Password keys whose value equals the value of their user-name key (`root-password` = `root-user`); not in `weak`. */
  readonly sameAsUser?: readonly { readonly key: string; readonly userKey: string }[];
  /** Public certificates (`ca.crt`, `tls.crt`, `cacert`): the expiry of the first PEM certificate of each (a public fact; WARD-EDGE-006). */
  readonly certificates?: readonly { readonly key: string; readonly subject: string; readonly notAfter: string }[];
  /** Revocation-list keys (`ca.crl`, `crl`) whose value is not a PEM X.509 CRL (WARD-EDGE-005). */
  readonly unreadableCrls?: readonly string[];
}

export interface LoadedDocument {
  readonly object: KubeObject;
  readonly file: string;
  /** 0-based index of the YAML document in its file. */
  readonly docIndex: number;
  /** 1-based line and column of the object's first key. */
  readonly line: number;
  readonly column: number;
  /** Helm template path from the `# Source:` comment of a `helm template` render. */
  readonly helmSource?: string;
  /** Present for Secrets: keys and weakness facts (the object's values are redacted). */
  readonly secretFacts?: SecretFacts;
  /** Line/column of a field inside this object (falls back to the object's own position). */
  locate(path: FieldPath): SourceLocation;
}

export type InputErrorCode = 'read-failed' | 'not-a-file' | 'binary' | 'too-large' | 'too-many-documents' | 'yaml-syntax' | 'alias-limit' | 'not-an-object' | 'document-too-large' | 'invalid-waiver';

/** A problem with the input: reported with file:line, the rest of the input is still checked, exit code 2. */
export interface InputError {
  readonly code: InputErrorCode;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/**
 * Something skipped and said so on stderr, not an error (exit code unchanged): a document that is
 * not a Kubernetes object (a JSON or YAML file of another kind), or a path the walk does not follow.
 */
export interface InputWarning {
  readonly code: 'not-kubernetes' | 'skipped-path';
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** One input read (a file or stdin), for the evidence in reports: what exactly was checked. */
export interface InputFile {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
}

export interface LoadResult {
  readonly documents: LoadedDocument[];
  readonly errors: InputError[];
  /** Skipped inputs, said on stderr (absent: none). */
  readonly warnings?: InputWarning[];
  /** Inputs read, with their SHA-256 (absent when built from text alone). */
  readonly inputs?: InputFile[];
}

export interface LoadLimits {
  /** Files (and stdin, pipes, FIFOs) larger than this are refused, counted as they are read. @default 32 MiB */
  readonly maxFileBytes: number;
  /** All inputs of a run together; reading stops with an input error past it. @default 256 MiB */
  readonly maxTotalBytes: number;
  /** YAML documents (empty ones included) and List items of a run together. @default 500,000 */
  readonly maxDocuments: number;
  /** Single YAML documents larger than this are refused. @default 8 MiB */
  readonly maxDocumentBytes: number;
  /** Bound on alias expansion (yaml's maxAliasCount). @default 100 */
  readonly maxAliasCount: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxFileBytes: 32 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxDocuments: 500_000,
  maxDocumentBytes: 8 * 1024 * 1024,
  maxAliasCount: 100,
};
