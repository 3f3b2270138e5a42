import { DomainError } from '../../common/errors/domain-error';

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
    /** True when a command may have run at the operator before the failure (a timeout after sending). */
    readonly outcomeUnknown = false,
  ) {
    super('TOPUP.SOAP_FAULT', 'unavailable', 'Impossible de communiquer avec le service backend', fault);
  }
}
