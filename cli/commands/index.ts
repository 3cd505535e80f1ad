import type { Command } from 'commander';
import { registerCheck } from './check.js';
import { registerDevCluster } from './dev-cluster.js';
import { registerOperator } from './operator.js';
import { registerFlows } from './flows.js';
import { registerInit } from './init.js';
import { registerSynth } from './synth.js';
import { registerWg } from './wg.js';

/**
 * Every `ward` sub-command registers itself here with one line. A registration adds the command
 * (with its options and `--help` text) to the program; the action does I/O only at the edges and
 * calls into charts-src/, policies/, operator/.
 */
export type CommandRegistration = (program: Command) => void;

export const commands: readonly CommandRegistration[] = [
  registerSynth,
  registerCheck,
  registerFlows,
  registerInit,
  registerWg,
  registerOperator,
  registerDevCluster,
];
