import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpClient, HttpTimeoutError } from './http-client';

describe(HttpClient.name, () => {
  let server: Server;
  let client: HttpClient;

  beforeEach(async () => {
    // Never answers: every request holds its socket until the client gives up.
    server = createServer(() => undefined);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    client = new HttpClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, 1);
  });
  afterEach(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a request past its time even while it waits for a socket', async () => {
    const holder = client.send('GET', '/held', {});
    holder.catch(() => undefined);
    const began = Date.now();
    await expect(client.send('GET', '/queued', {}, undefined, 200)).rejects.toBeInstanceOf(HttpTimeoutError);
    expect(Date.now() - began).toBeLessThan(5_000);
  }, 10_000);
});
