/**
 * `pnpm bench -- [--broker redis] [--n 20000] ...`: measures Switchboard and each broker's raw client
 * side by side. Prints one JSON line per measurement on stdout, then a table of switchboard/raw
 * ratios; notes and skips go to stderr. Exits 2 on bad arguments, else 0.
 */
import { defaultWarmup, parseArgs } from './harness/args.js';
import { runBench } from './harness/run.js';
import { formatTable } from './harness/table.js';

async function main(): Promise<number> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    return 2;
  }
  console.error(
    `bench: brokers ${args.brokers.join(',')}; modes ${args.modes.join(',')}; n=${args.n} bytes=${args.bytes} ` +
      `rounds=${args.rounds} warm-up=${args.warmupN ?? `${defaultWarmup('publish', args.n)} (request/reply ${defaultWarmup('request-reply', args.n)})`} timeout=${args.timeoutS}s per measurement`,
  );
  const outcome = await runBench(
    args,
    (line) => console.log(JSON.stringify(line)),
    (message) => console.error(`bench: ${message}`),
  );
  console.log(`\n${formatTable(outcome.lines, outcome.skipped)}`);
  return 0;
}

main().then((code) => process.exit(code));
