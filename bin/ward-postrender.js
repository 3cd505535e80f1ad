#!/usr/bin/env node
// `ward helm-postrender` as one executable, for Helm 3's --post-renderer (which takes a path, not a
// command line; its arguments go in --post-renderer-args, one flag each):
//   helm template sr chart.tgz --post-renderer ward-postrender --post-renderer-args --profile=strict
process.argv.splice(2, 0, 'helm-postrender');
await import('./ward.js');
