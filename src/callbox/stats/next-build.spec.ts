import { NextBuild } from './next-build';

/** A build the spec finishes by hand; `state` is what the build read when it started. */
function builds() {
  let state = 0;
  const started: Array<{ read: number; finish: () => void; fail: (error: Error) => void }> = [];
  const next = new NextBuild<number>(
    () =>
      new Promise<number>((resolve, reject) => {
        const read = state;
        started.push({ read, finish: () => resolve(read), fail: reject });
      }),
  );
  return { next, started, write: () => (state += 1) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe(NextBuild.name, () => {
  it('starts a build for a call when none runs', async () => {
    const { next, started } = builds();
    const answer = next.get();
    expect(started).toHaveLength(1);
    started[0].finish();
    await expect(answer).resolves.toBe(0);
  });

  it('never answers a call with a build that started before it: calls during a build share the next one', async () => {
    const { next, started, write } = builds();
    const first = next.get();
    write(); // a caller's write lands after the first build read the state
    const second = next.get();
    const third = next.get();
    expect(started).toHaveLength(1);
    started[0].finish();
    await expect(first).resolves.toBe(0);
    await settle();
    expect(started).toHaveLength(2);
    started[1].finish();
    await expect(second).resolves.toBe(1);
    await expect(third).resolves.toBe(1);
  });

  it('runs one build at a time, however many calls come', async () => {
    const { next, started } = builds();
    const answers = Array.from({ length: 50 }, () => next.get());
    await settle();
    expect(started).toHaveLength(1);
    started[0].finish();
    await settle();
    expect(started).toHaveLength(2);
    started[1].finish();
    await Promise.all(answers);
    expect(started).toHaveLength(2);
  });

  it('a failed build fails its own calls only; the next call builds again', async () => {
    const { next, started } = builds();
    const failed = next.get();
    const queued = next.get();
    started[0].fail(new Error('database gone'));
    await expect(failed).rejects.toThrow('database gone');
    await settle();
    started[1].finish();
    await expect(queued).resolves.toBe(0);
    const later = next.get();
    expect(started).toHaveLength(3);
    started[2].finish();
    await expect(later).resolves.toBe(0);
  });
});
