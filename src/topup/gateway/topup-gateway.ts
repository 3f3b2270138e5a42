import type {
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  GetBalancesResponse,
  GetMyNumbersResponse,
  GetPackagesResponse,
  GetStatusForRechargeResponse,
} from '../../operator/soap-types';

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * The operator's TopUp system as the rest of the app sees it: the only code that knows SOAP is
 * behind this port. Operator answers (any return code) resolve; an unreachable, slow, faulting or
 * refusing backend rejects with a `TopUpUnavailableError`.
 */
export abstract class TopUpGateway {
  abstract getBalances(msisdn: string, isdn: string): Promise<GetBalancesResponse>;
  abstract getMyNumbers(msisdn: string): Promise<GetMyNumbersResponse>;
  abstract getStatusForRecharge(isdn: string): Promise<GetStatusForRechargeResponse>;
  abstract getPackages(msisdn: string, isdn: string, type: number): Promise<GetPackagesResponse>;
  /** A command moves money or changes an account: it is sent once, never retried here. */
  abstract executeCommand(command: ExecuteCommandRequest): Promise<ExecuteCommandResponse>;
  abstract breakerState(): BreakerState;
}
