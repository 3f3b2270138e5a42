import type { ISoapFault11 } from 'soap';

export type InjectedFault = 'server' | 'client';

/** Trouble the simulator can be told to make, at run time. */
export interface SimulatorFaults {
  /** Delay before each SOAP answer (the operation itself takes effect on arrival). */
  latencyMs: number;
  /** Answer every SOAP call with this fault instead of running it. */
  fault: InjectedFault | null;
  /** Close the listening socket (connection refused) until turned off; same port afterwards. */
  refuseConnections: boolean;
}

export interface FaultsUpdate extends Partial<SimulatorFaults> {
  /**
   * With `refuseConnections: true`, listen again after this many ms. For out-of-process use: the
   * control endpoint shares the closed socket, so it cannot be asked to re-open it.
   */
  refuseForMs?: number;
}

export const NO_FAULTS: Readonly<SimulatorFaults> = { latencyMs: 0, fault: null, refuseConnections: false };

/** Validates the JSON body of `POST /__simulator/faults`; a string is the reason it was refused. */
export function parseFaultsUpdate(body: unknown): FaultsUpdate | string {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return 'body must be a JSON object';
  }
  const input = body as Record<string, unknown>;
  const known = ['latencyMs', 'fault', 'refuseConnections', 'refuseForMs'];
  const unknown = Object.keys(input).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    return `unknown field(s): ${unknown.join(', ')}`;
  }
  const update: FaultsUpdate = {};
  for (const key of ['latencyMs', 'refuseForMs'] as const) {
    const value = input[key];
    if (value !== undefined) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        return `${key} must be a number >= 0`;
      }
      update[key] = value;
    }
  }
  if (input.fault !== undefined) {
    if (input.fault !== null && input.fault !== 'server' && input.fault !== 'client') {
      return "fault must be 'server', 'client' or null";
    }
    update.fault = input.fault;
  }
  if (input.refuseConnections !== undefined) {
    if (typeof input.refuseConnections !== 'boolean') {
      return 'refuseConnections must be a boolean';
    }
    update.refuseConnections = input.refuseConnections;
  }
  return update;
}

/**
 * SOAP 1.1 faults, each a new object: node-soap deletes `statusCode` from the fault it sends, and
 * without one it would answer HTTP 200. Both injected faults use HTTP 500, as SOAP 1.1 over HTTP
 * requires for any fault; only a failed login answers 401, as node-soap's own authentication does.
 */
export function soapFault(kind: InjectedFault | 'auth'): ISoapFault11 {
  switch (kind) {
    case 'auth':
      return {
        faultcode: 'soap:Client',
        faultstring: 'Authentication failed: bad or missing AuthHeader',
        statusCode: 401,
      };
    case 'client':
      return { faultcode: 'soap:Client', faultstring: 'Simulated client fault', statusCode: 500 };
    case 'server':
      return { faultcode: 'soap:Server', faultstring: 'Simulated server fault', statusCode: 500 };
  }
}

/** What a service method throws so node-soap answers a fault (it looks for a `Fault` property). */
export class SimulatorFault extends Error {
  constructor(readonly Fault: ISoapFault11) {
    super(Fault.faultstring);
    this.name = 'SimulatorFault';
  }
}
