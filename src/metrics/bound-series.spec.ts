import { Counter, Histogram, Registry } from 'prom-client';
import { BoundCounter, BoundHistogram } from './bound-series';

const BUCKETS = [0.001, 0.01, 0.1, 1];

/** The same metrics twice: one observed through prom-client's API, one through bound series. */
function pair() {
  const make = () => {
    const registry = new Registry();
    const histogram = new Histogram({ name: 'd_seconds', help: 'h', labelNames: ['method', 'route', 'status'], buckets: BUCKETS, registers: [registry] });
    const counter = new Counter({ name: 'answers_total', help: 'h', labelNames: ['method', 'route', 'class'], registers: [registry] });
    return { registry, histogram, counter };
  };
  return { plain: make(), bound: make() };
}

const OK = { method: 'POST', route: '/api/call-box/heartbeat', status: '200' };
const NOT_FOUND = { method: 'POST', route: '/api/call-box/heartbeat', status: '404' };
const CLASS_2XX = { method: 'POST', route: '/api/call-box/heartbeat', class: '2xx' };

describe(BoundHistogram.name, () => {
  it('records exactly what prom-client records: buckets, bounds themselves, above every bound, sum and count', async () => {
    const { plain, bound } = pair();
    const ok = new BoundHistogram(bound.histogram, OK);
    const notFound = new BoundHistogram(bound.histogram, NOT_FOUND);
    const values = [0.0005, 0.001, 0.002, 0.01, 0.05, 0.1, 0.7, 1, 3, 120, 0];
    for (let i = 0; i < 200; i++) {
      const value = values[i % values.length] * (1 + (i % 7) / 100);
      plain.histogram.observe(i % 3 ? OK : NOT_FOUND, value);
      (i % 3 ? ok : notFound).observe(value);
    }
    expect(await bound.registry.metrics()).toBe(await plain.registry.metrics());
    expect(await bound.registry.metrics()).toContain('d_seconds_count{method="POST",route="/api/call-box/heartbeat",status="200"} 133');
  });

  it('records after a reset (the entries it held are no longer the metric’s)', async () => {
    const { plain, bound } = pair();
    const ok = new BoundHistogram(bound.histogram, OK);
    for (const value of [0.002, 0.2]) {
      plain.histogram.observe(OK, value);
      ok.observe(value);
    }
    plain.histogram.reset();
    bound.histogram.reset();
    for (const value of [0.05, 5]) {
      plain.histogram.observe(OK, value);
      ok.observe(value);
    }
    expect(await bound.registry.metrics()).toBe(await plain.registry.metrics());
    expect(await bound.registry.metrics()).toContain('d_seconds_count{method="POST",route="/api/call-box/heartbeat",status="200"} 2');
  });

  it('refuses a value that is not a number as prom-client does, and records nothing', async () => {
    const { plain, bound } = pair();
    const ok = new BoundHistogram(bound.histogram, OK);
    ok.observe(0.01);
    plain.histogram.observe(OK, 0.01);
    expect(() => ok.observe(Number.NaN)).toThrow(TypeError);
    expect(() => ok.observe(Number.POSITIVE_INFINITY)).toThrow(TypeError);
    expect(await bound.registry.metrics()).toBe(await plain.registry.metrics());
  });
});

describe(BoundCounter.name, () => {
  it('counts into a series zeroed beforehand with another label object, as prom-client does, reset included', async () => {
    const { plain, bound } = pair();
    for (const { counter } of [plain, bound]) counter.inc({ method: 'POST', route: '/api/call-box/heartbeat', class: '2xx' }, 0);
    const answers = new BoundCounter(bound.counter, CLASS_2XX);
    for (let i = 0; i < 5; i++) {
      plain.counter.inc(CLASS_2XX);
      answers.inc();
    }
    expect(await bound.registry.metrics()).toBe(await plain.registry.metrics());
    expect(await bound.registry.metrics()).toContain('answers_total{method="POST",route="/api/call-box/heartbeat",class="2xx"} 5');
    plain.counter.reset();
    bound.counter.reset();
    plain.counter.inc(CLASS_2XX);
    answers.inc();
    expect(await bound.registry.metrics()).toBe(await plain.registry.metrics());
    expect(await bound.registry.metrics()).toContain('answers_total{method="POST",route="/api/call-box/heartbeat",class="2xx"} 1');
  });
});
