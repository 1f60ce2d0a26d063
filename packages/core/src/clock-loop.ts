import type { Clock } from './clock.js';

/**
 * A background loop on the injected clock: runs `pass`, then sleeps `intervalMs` of clock time, until `stop`.
 * `wake` cuts a sleep short, and a wake during a pass starts the next pass at once (new work may have arrived
 * after the pass looked). `pass` handles (logs) its own errors; it gets the loop's stop signal.
 */
export class ClockLoop {
  #running: { readonly stop: AbortController; readonly done: Promise<void> } | undefined;
  #woken = false;
  #wakeSleeper: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly pass: (signal: AbortSignal) => Promise<void>,
  ) {}

  start(): void {
    if (this.#running) return;
    const stop = new AbortController();
    this.#running = { stop, done: this.#run(stop.signal) };
  }

  /** Stops the loop and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    const running = this.#running;
    if (!running) return;
    this.#running = undefined;
    running.stop.abort();
    this.#wakeSleeper?.();
    await running.done;
  }

  wake(): void {
    this.#woken = true;
    this.#wakeSleeper?.();
  }

  async #run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.#woken = false;
      await this.pass(signal);
      if (signal.aborted || this.#woken) continue;
      await new Promise<void>((resolve) => {
        this.#wakeSleeper = resolve;
        this.clock.sleep(this.intervalMs).then(resolve, resolve);
      });
      this.#wakeSleeper = undefined;
    }
  }
}
