/**
 * Work whose answer must be as fresh as the call, shared between calls: a call that arrives while
 * no build runs starts one; calls that arrive while one runs (it may have read the state before
 * their caller's last write) share the next, started when it ends. So at most one build runs at a
 * time, however many callers ask, and every answer was built after its call arrived.
 */
export class NextBuild<T> {
  private running: Promise<T> | null = null;
  private queued: Promise<T> | null = null;

  constructor(private readonly build: () => Promise<T>) {}

  get(): Promise<T> {
    if (!this.running) return this.start();
    this.queued ??= this.running
      .catch(() => undefined)
      .then(() => {
        this.queued = null;
        return this.start();
      });
    return this.queued;
  }

  private start(): Promise<T> {
    const running = this.build();
    this.running = running;
    const done = () => {
      if (this.running === running) this.running = null;
    };
    running.then(done, done);
    return running;
  }
}
