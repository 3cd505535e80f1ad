// Preloaded (`node --import`) into the processes bench/startup.bench.ts starts: writes the process's
// peak RSS (KiB) to the file $WARD_BENCH_RSS_FILE when it exits. Imported the same way into the bare
// runtime's baseline, so its cost is on both sides of the ratio.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  if (process.env.WARD_BENCH_RSS_FILE) writeFileSync(process.env.WARD_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});
