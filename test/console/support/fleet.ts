/** Boxes scripted over HTTP (register, heartbeat every second, poll, report) and the main system's submits. */
export class Gateway {
  private readonly beating = new Map<string, NodeJS.Timeout>();

  constructor(
    readonly url: string,
    private readonly callboxToken: string,
    private readonly apiKey: string,
  ) {}

  async call<T = any>(method: string, path: string, body?: unknown, as: 'box' | 'admin' = 'box'): Promise<{ status: number; body: T }> {
    const headers: Record<string, string> = as === 'box' ? { authorization: `Bearer ${this.callboxToken}` } : { 'x-api-key': this.apiKey };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${this.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async expectOk<T = any>(method: string, path: string, body?: unknown, as: 'box' | 'admin' = 'box'): Promise<T> {
    const res = await this.call<T>(method, path, body, as);
    if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  /** Registers the box and keeps it alive with a heartbeat a second, until `die`. */
  async register(callboxId: string, capabilities: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<void> {
    await this.expectOk('POST', '/api/call-box/register', { callboxId, capabilities, version: '2.1.0', ...extra });
    await this.beat(callboxId);
    this.beating.set(callboxId, setInterval(() => void this.beat(callboxId).catch(() => undefined), 1000));
  }

  beat(callboxId: string): Promise<unknown> {
    return this.expectOk('POST', '/api/call-box/heartbeat', {
      callboxId,
      status: 'active',
      queueSize: 0,
      metrics: { uptime: 3600, memoryUsage: 41.5, processedTransactions: 12 },
    });
  }

  /** The box goes silent (power cut): no heartbeat, no report. */
  die(callboxId: string): void {
    clearInterval(this.beating.get(callboxId));
    this.beating.delete(callboxId);
  }

  stopAll(): void {
    for (const id of [...this.beating.keys()]) this.die(id);
  }

  async submit(overrides: Record<string, unknown> = {}): Promise<string> {
    const body = await this.expectOk<{ transaction: { id: string } }>('POST', '/api/transaction/to-callbox', {
      type: 'recharge',
      phoneNumber: '+25377123456',
      amount: 500,
      payItemId: 'RECHARGE_500',
      customerInfo: { name: 'Awa Ali', operator: 'Djibouti Telecom' },
      ...overrides,
    }, 'admin');
    return body.transaction.id;
  }

  async poll(callboxId: string, limit: number): Promise<Array<{ id: string; attempt: number }>> {
    const body = await this.expectOk<{ transactions: Array<{ id: string; attempt: number }> }>('GET', `/api/call-box/transactions/pending?callboxId=${callboxId}&limit=${limit}`);
    return body.transactions;
  }

  async status(id: string): Promise<string> {
    return (await this.expectOk<{ transaction: { status: string } }>('GET', `/api/call-box/transactions/${id}`, undefined, 'admin')).transaction.status;
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
