// How every CLI ends: the exit code main() returns, or a clean message for errors a person can
// act on (bad flags: exit 2; no Chromium: exit 1) and a stack trace only for real bugs.
import { UsageError } from './args.ts';
import { ChromiumNotFound } from './chromium.ts';

export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => process.exit(code),
    (e: unknown) => {
      if (e instanceof UsageError || e instanceof ChromiumNotFound) console.error(e.message);
      else console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      process.exit(e instanceof UsageError ? 2 : 1);
    },
  );
}
