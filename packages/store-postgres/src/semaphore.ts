/** A counting semaphore: at most `size` `run` calls execute at once; the rest wait in call order. */
export class Semaphore {
  readonly #size: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(size: number) {
    this.#size = size;
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#active >= this.#size) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active += 1;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter (the count stays), or free it.
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active -= 1;
    }
  }
}
