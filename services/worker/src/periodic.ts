import type { Logger } from '@hub/shared/logger';

/**
 * Runs `task` every `intervalMs` (and once now, with `runNow`), never two at once; a failure
 * is logged and the next tick tries again. The timer does not keep the process alive; stop()
 * waits for a run in progress.
 */
export function startPeriodic(
  task: () => Promise<void>,
  opts: { intervalMs: number; runNow: boolean; logger: Logger; what: string },
): { stop(): Promise<void> } {
  let running: Promise<void> | undefined;
  const tick = () => {
    if (running) return;
    running = task()
      .catch((err: unknown) => opts.logger.warn({ err }, `${opts.what} failed`))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(tick, opts.intervalMs);
  timer.unref();
  if (opts.runNow) tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
