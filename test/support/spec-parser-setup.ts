// vitest setup file (every project): tests build indexes and run rules directly, as the CLI does
// after loading the spec parser for inputs that hold a RegistryDeployment (policies/flows/spec-parser.ts).
import { loadSpecParser } from '../../policies/flows/spec-parser.js';

await loadSpecParser();
