import type { SoapFault } from './topup-unavailable.error';

/** What went wrong with one SOAP call, from whatever node-soap or the network threw. */
export interface SoapFailure {
  kind: 'network' | 'timeout' | 'fault' | 'auth' | 'http';
  /** Worth another try for a query (never for a command). */
  retryable: boolean;
  /**
   * The request may have reached the operator and run there, with no answer read that says it did
   * not: a timeout, a connection cut after it was open, a server fault, a 5xx (a proxy's 502), a
   * body cut off. Only a connection never made, or an answer refusing it, proves a command did not run.
   */
  mayHaveRun: boolean;
  fault: SoapFault;
}

interface SoapErrorShape {
  code?: string;
  message?: string;
  response?: { status?: number };
  root?: { Envelope?: { Body?: { Fault?: Record<string, unknown> } } };
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', 'EAI_AGAIN']);
/** No connection was ever made: nothing of the request left the gateway. */
const NEVER_CONNECTED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ECONNABORTED', 'ETIMEDOUT', 'ESOCKETTIMEDOUT', 'ERR_CANCELED']);

/**
 * Every shape node-soap 1.13 rejects with (SOAP 1.1 and 1.2-shaped faults, HTTP errors without a
 * fault, axios network and timeout errors) reduced to one classification. Never copies request
 * data (the SOAP header carries credentials) into the result.
 */
export function classifySoapError(error: unknown): SoapFailure {
  const e = (error ?? {}) as SoapErrorShape;
  const status = e.response?.status;
  const fault = e.root?.Envelope?.Body?.Fault;
  if (e.code && TIMEOUT_CODES.has(e.code)) {
    return { kind: 'timeout', retryable: true, mayHaveRun: true, fault: make('Server', 'Connection timeout', 'Le service backend ne répond pas') };
  }
  if (e.code && NETWORK_CODES.has(e.code)) {
    return {
      kind: 'network',
      retryable: true,
      mayHaveRun: !NEVER_CONNECTED_CODES.has(e.code),
      fault: make('Server', `Connection error (${e.code})`, 'Le service backend est injoignable'),
    };
  }
  if (status === 401 || status === 403) {
    return {
      kind: 'auth',
      retryable: false,
      mayHaveRun: false,
      fault: make('Client', 'Authentication failed', "Le service backend a refusé l'authentification de la passerelle"),
    };
  }
  if (fault) {
    const { code, reason } = faultText(fault);
    // A Client fault refuses the request as sent; a Server fault may come after the work was done.
    const serverSide = (status ?? 500) >= 500 && code !== 'Client';
    return { kind: 'fault', retryable: serverSide, mayHaveRun: serverSide, fault: make(code, reason, 'Le service backend a renvoyé une erreur SOAP') };
  }
  if (status !== undefined) {
    // Only a 4xx refuses the request; a 5xx (a proxy's 502) or a 2xx that could not be read came after it arrived.
    const refused = status >= 400 && status < 500;
    return { kind: 'http', retryable: !refused, mayHaveRun: !refused, fault: make('Server', `HTTP ${status}`, 'Réponse inattendue du service backend') };
  }
  // An answer that could not be read (cut off, not XML): the request was received.
  return { kind: 'network', retryable: true, mayHaveRun: true, fault: make('Server', 'Unexpected error', 'Le service backend ne répond pas correctement') };
}

function make(fault_code: string, fault_string: string, fault_detail: string) {
  return { fault_code, fault_string: fault_string.slice(0, 200), fault_detail };
}

/** SOAP 1.1 (`faultcode`/`faultstring`) or 1.2 (`Code.Value`/`Reason.Text`), prefixes dropped. */
function faultText(fault: Record<string, unknown>): { code: string; reason: string } {
  const code11 = typeof fault.faultcode === 'string' ? fault.faultcode : undefined;
  const code12 = (fault.Code as { Value?: unknown } | undefined)?.Value;
  const reason11 = typeof fault.faultstring === 'string' ? fault.faultstring : undefined;
  const reason12 = (fault.Reason as { Text?: unknown } | undefined)?.Text;
  const rawCode = code11 ?? (typeof code12 === 'string' ? code12 : 'Server');
  const code = rawCode.split(':').pop() ?? 'Server';
  const reason = reason11 ?? (typeof reason12 === 'string' ? reason12 : 'SOAP fault');
  return { code: code === 'Receiver' ? 'Server' : code === 'Sender' ? 'Client' : code, reason };
}
