/**
 * Shares reads of the source between concurrent callers without serving anyone a read that
 * started before they asked: while one read of an id runs, later callers wait for a single
 * follow-up read, so an id has at most one read running and one queued.
 */
export class Coalescer {
  private readonly running = new Map<string, Promise<void>>();
  private readonly queued = new Map<string, Promise<void>>();

  run(id: string, read: () => Promise<void>): Promise<void> {
    const queued = this.queued.get(id);
    if (queued) return queued;
    const running = this.running.get(id);
    if (!running) return this.start(id, read);
    const next = running
      .catch(() => {})
      .then(() => {
        this.queued.delete(id);
        return this.start(id, read);
      });
    this.queued.set(id, next);
    return next;
  }

  private start(id: string, read: () => Promise<void>): Promise<void> {
    const promise = read().finally(() => {
      if (this.running.get(id) === promise) this.running.delete(id);
    });
    this.running.set(id, promise);
    return promise;
  }
}

/** Runs tasks one at a time per key, in call order (a write's read-modify-write of one key). */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.catch(() => {}).then(task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
