/** The loader: files, directories, stdin → documents with source positions, plus input errors as data. */
export * from './types.js';
export { parseText, yamlErrorMessage, yamlSyntaxError, type DocumentCount } from './parse.js';
export { decodeText, loadBuffer, loadPaths, STDIN_NAME, type LoadOptions } from './files.js';
export { fmtBytes, ReadBudget, ReadError, readInputFile, readStreamBounded, type ReadOptions } from './read.js';
export { redactSecret, MIN_SECRET_LENGTH, REDACTED } from './secrets.js';
export { KNOWN_DEFAULT_VALUES } from '../secret-strength.js';
