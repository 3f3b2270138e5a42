import { EventLoopDelayMonitor } from './event-loop-delay';

const block = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until);
};
const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(EventLoopDelayMonitor.name, () => {
  let sut: EventLoopDelayMonitor;
  beforeEach(() => {
    sut = new EventLoopDelayMonitor();
    sut.start();
  });
  afterEach(() => sut.stop());

  it('reports nothing before it has sampled', () => {
    expect(sut.read()).toEqual({ maxSeconds: 0, p99Seconds: 0 });
  });

  it('shows a blocked loop as its delay, and keeps it through later windows of the minute', async () => {
    await tick(50);
    block(150);
    await tick(50);
    const blocked = sut.read();
    expect(blocked.maxSeconds).toBeGreaterThanOrEqual(0.1);

    sut.rotate();
    await tick(50);
    sut.rotate();
    expect(sut.read().maxSeconds).toBe(blocked.maxSeconds);
  });

  it('forgets a delay a minute later (twelve windows of five seconds)', async () => {
    await tick(30);
    block(250);
    await tick(30);
    // The histogram samples every few ms, so it may see a little less than the block itself.
    expect(sut.read().maxSeconds).toBeGreaterThanOrEqual(0.2);
    for (let i = 0; i < 12; i++) sut.rotate();
    // Only what was sampled since: a loop that was free (a loaded machine may add tens of ms).
    await tick(50);
    expect(sut.read().maxSeconds).toBeLessThan(0.2);
  });
});
