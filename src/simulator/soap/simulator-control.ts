import type { IncomingMessage, ServerResponse } from 'node:http';
import { isMobileNumber } from '../../operator/phone-number.format';
import { parseFaultsUpdate } from './simulator-faults';
import type { SoapSimulator } from './soap-simulator';

export const CONTROL_PREFIX = '/__simulator';
const MAX_BODY_BYTES = 16 * 1024;

/**
 * Out-of-process control on the SOAP server's own port:
 * `POST /__simulator/faults` (JSON body as setFaults), `POST /__simulator/reset`,
 * `GET /__simulator/state` (faults, call counts, and per mobile number the commands received, the
 * wrong PINs and the executions among them), `POST /__simulator/mobiles` (`{ msisdn, pin, balance }`:
 * opens an account until the next reset). Anything else that is not SOAP is a 404.
 */
export async function handleControlRequest(
  simulator: SoapSimulator,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://simulator').pathname.replace(/\/$/, '');
  try {
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}/faults`) {
      const update = parseFaultsUpdate(await readJson(req));
      if (typeof update === 'string') {
        return sendJson(res, 400, { error: update });
      }
      if (update.refuseConnections) {
        // Answer first: closing the socket would cut this very response.
        res.once('finish', () => simulator.setFaultsInBackground(update));
        const { refuseForMs: _reopenDelay, ...faults } = update;
        return sendJson(res, 200, { faults: { ...simulator.currentFaults(), ...faults } }, true);
      }
      await simulator.setFaults(update);
      return sendJson(res, 200, { faults: simulator.currentFaults() });
    }
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}/reset`) {
      await simulator.reset();
      return sendJson(res, 200, { faults: simulator.currentFaults() });
    }
    if (req.method === 'GET' && path === `${CONTROL_PREFIX}/state`) {
      return sendJson(res, 200, {
        faults: simulator.currentFaults(),
        calls: simulator.callCounts(),
        commandsByMobile: simulator.commandCounts(),
      });
    }
    if (req.method === 'POST' && path === `${CONTROL_PREFIX}/mobiles`) {
      const account = parseMobileAccount(await readJson(req));
      if (typeof account === 'string') {
        return sendJson(res, 400, { error: account });
      }
      simulator.addMobile(account);
      return sendJson(res, 201, { mobile: simulator.mobileAccount(account.msisdn) });
    }
    sendJson(res, 404, { error: 'not found' });
  } catch (error) {
    sendJson(res, error instanceof SyntaxError ? 400 : 500, { error: (error as Error).message });
  }
}

function parseMobileAccount(body: unknown): { msisdn: string; pin: string; balance: number } | string {
  const input = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof input.msisdn !== 'string' || !isMobileNumber(input.msisdn)) {
    return 'msisdn must be a mobile number (77xxxxxx or 25377xxxxxx)';
  }
  if (typeof input.pin !== 'string' || !/^\d{4}$/.test(input.pin)) {
    return 'pin must be 4 digits';
  }
  const balance = input.balance ?? 0;
  if (typeof balance !== 'number' || !Number.isFinite(balance) || balance < 0) {
    return 'balance must be a number >= 0';
  }
  return { msisdn: input.msisdn, pin: input.pin, balance };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) {
      throw new SyntaxError('body too large');
    }
    chunks.push(chunk as Buffer);
  }
  const raw = Buffer.concat(chunks).toString('utf8').trim();
  return raw === '' ? {} : JSON.parse(raw);
}

function sendJson(res: ServerResponse, status: number, body: unknown, closeConnection = false): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json');
  if (closeConnection) {
    res.setHeader('Connection', 'close');
  }
  res.end(JSON.stringify(body));
}
