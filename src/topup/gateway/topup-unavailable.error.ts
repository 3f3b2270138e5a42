import { DomainError } from '../../common/errors/domain-error';
import { SOAP_TIMEOUTS_MS } from './soap-timeouts';

/** Why the backend could not answer, in the shape of the spec's "Erreur SOAP" `soap_fault`. */
export interface SoapFault {
  fault_code: string;
  fault_string: string;
  fault_detail: string;
}

/** The operator's system is unreachable, timed out, faulted, refused our login, or the breaker is open. */
export class TopUpUnavailableError extends DomainError {
  constructor(
    readonly fault: SoapFault,
    readonly operation: string,
    readonly timeoutSeconds: number,
    /** True when a command may have run at the operator: it may have left the gateway and no answer was read. */
    readonly outcomeUnknown = false,
    /** The command's id, when the failure is about a command. */
    readonly transactionId?: string,
  ) {
    super('TOPUP.SOAP_FAULT', 'unavailable', 'Impossible de communiquer avec le service backend', fault);
  }
}

/** The same failure, told about the command `transactionId` (and, when known, whether it may have run). */
export function aboutCommand(error: TopUpUnavailableError, transactionId: string, outcomeUnknown = error.outcomeUnknown): TopUpUnavailableError {
  return new TopUpUnavailableError(error.fault, error.operation, error.timeoutSeconds, outcomeUnknown, transactionId);
}

/** The circuit breaker refuses the call: nothing was sent. */
export function breakerOpen(operation: keyof typeof SOAP_TIMEOUTS_MS): TopUpUnavailableError {
  return new TopUpUnavailableError(
    { fault_code: 'Server', fault_string: 'Circuit breaker open', fault_detail: 'Le service backend est indisponible, réessayez plus tard' },
    operation,
    SOAP_TIMEOUTS_MS[operation] / 1000,
  );
}
