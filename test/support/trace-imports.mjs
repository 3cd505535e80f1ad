// Preloaded with `node --import` by test/unit/cli-startup.test.ts: records every module URL the
// process resolves and writes them, one per line, to $WARD_TRACE_IMPORTS when it exits.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const seen = new Set();
registerHooks({
  resolve(specifier, context, next) {
    const r = next(specifier, context);
    seen.add(r.url);
    return r;
  },
});
process.on('exit', () => {
  if (process.env.WARD_TRACE_IMPORTS) writeFileSync(process.env.WARD_TRACE_IMPORTS, [...seen].join('\n'));
});
