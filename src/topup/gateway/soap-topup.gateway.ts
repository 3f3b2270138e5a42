import { Inject, Injectable, Logger } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { type Client, createClientAsync } from 'soap';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import type { ExecuteCommandRequest, TopUpOperation, TopUpOperations } from '../../operator/soap-types';
import { AUTH_HEADER_ELEMENT, TOPUP_NAMESPACE, TOPUP_WSDL_PATH } from '../../operator/topup-wsdl';
import { SoapDebug } from '../debug/soap-debug';
import { classifySoapError } from './soap-failure';
import { SOAP_ENDPOINT, SoapEndpoint } from '../../operator/soap-endpoint';
import { SOAP_TIMEOUTS_MS } from './soap-timeouts';
import { BreakerState, TopUpGateway } from './topup-gateway';
import { breakerOpen, TopUpUnavailableError } from './topup-unavailable.error';

/** Queries are tried at most this many more times on a network or 5xx error; commands never. */
const QUERY_RETRIES = 2;
const RETRY_BASE_MS = 200;

type Call = [operation: TopUpOperation, request: object, timeoutMs: number, attempt: number];

/**
 * The operator's SOAP system through node-soap, behind a circuit breaker (opossum): after repeated
 * failures it answers at once for a cool-down instead of piling up 45-second waits.
 */
@Injectable()
export class SoapTopUpGateway extends TopUpGateway {
  private readonly logger = new Logger('TopUpGateway');
  private readonly breaker: CircuitBreaker<Call, unknown>;
  private client: Promise<Client> | null = null;

  constructor(
    @Inject(SOAP_ENDPOINT) private readonly endpoint: SoapEndpoint,
    config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    super();
    this.breaker = new CircuitBreaker((...call: Call) => this.send(...call), {
      timeout: false,
      errorThresholdPercentage: 50,
      volumeThreshold: config.topupBreaker.volumeThreshold,
      resetTimeout: config.topupBreaker.resetMs,
      // Longer than the longest call (45 s): a timed-out call is counted as failed when it ends, and
      // its start must still be in the window then, or slow operators never open the breaker.
      rollingCountTimeout: 60_000,
      rollingCountBuckets: 12,
    });
    this.breaker.on('open', () => {
      this.metrics.breakerState.set(2);
      this.logger.warn('SOAP circuit breaker open: answering 503 at once for a cool-down');
    });
    this.breaker.on('halfOpen', () => {
      this.metrics.breakerState.set(1);
      this.logger.log('SOAP circuit breaker half-open: trying the backend again');
    });
    this.breaker.on('close', () => {
      this.metrics.breakerState.set(0);
      this.logger.log('SOAP circuit breaker closed: backend answering again');
    });
    this.metrics.breakerState.set(0);
  }

  getBalances(msisdn: string, isdn: string) {
    return this.query('getBalances', { msisdn, isdn });
  }

  getMyNumbers(msisdn: string) {
    return this.query('getMyNumbers', { msisdn });
  }

  getStatusForRecharge(isdn: string) {
    return this.query('getStatusForRecharge', { isdn });
  }

  getPackages(msisdn: string, isdn: string, type: number) {
    return this.query('getPackages', { msisdn, isdn, type });
  }

  executeCommand(command: ExecuteCommandRequest) {
    return this.call('executeCommand', command, 0);
  }

  breakerState(): BreakerState {
    if (this.breaker.opened) return 'open';
    return this.breaker.halfOpen ? 'half_open' : 'closed';
  }

  private query<K extends Exclude<TopUpOperation, 'executeCommand'>>(operation: K, request: TopUpOperations[K]['request']) {
    return this.call(operation, request, QUERY_RETRIES);
  }

  private async call<K extends TopUpOperation>(
    operation: K,
    request: TopUpOperations[K]['request'],
    retries: number,
  ): Promise<TopUpOperations[K]['response']> {
    const timeoutMs = SOAP_TIMEOUTS_MS[operation];
    for (let attempt = 0; ; attempt++) {
      try {
        return (await this.breaker.fire(operation, request, timeoutMs, attempt)) as TopUpOperations[K]['response'];
      } catch (error) {
        if ((error as { code?: string }).code === 'EOPENBREAKER') {
          this.metrics.soapCalls.inc({ operation, outcome: 'breaker_open' });
          throw breakerOpen(operation);
        }
        const failure = classifySoapError(error);
        this.logger.warn({ operation, attempt, kind: failure.kind, fault: failure.fault.fault_string }, 'SOAP call failed');
        // A timeout is not retried: three waits of 10-20 s each would be the pile-up the breaker prevents.
        if (failure.retryable && failure.kind !== 'timeout' && attempt < retries) {
          await new Promise((resolve) => setTimeout(resolve, RETRY_BASE_MS * 2 ** attempt));
          continue;
        }
        const unknownOutcome = operation === 'executeCommand' && failure.mayHaveRun;
        throw new TopUpUnavailableError(failure.fault, operation, timeoutMs / 1000, unknownOutcome);
      }
    }
  }

  private async send(operation: TopUpOperation, request: object, timeoutMs: number, attempt: number): Promise<unknown> {
    const began = performance.now();
    const observe = (outcome: string, returnCode: string | null = null) => {
      const seconds = (performance.now() - began) / 1000;
      this.metrics.observeSoapCall(operation, outcome, seconds);
      SoapDebug.record({ operation, attempt: attempt + 1, outcome, return_code: returnCode, duration_ms: Math.round(seconds * 1000) });
    };
    try {
      const client = await this.soapClient();
      const method = client[`${operation}Async`] as (args: object, options: object) => Promise<[unknown]>;
      const [result] = await method.call(client, request, { timeout: timeoutMs });
      const answer = (result ?? { returnCode: '0' }) as { returnCode?: string };
      observe(answer.returnCode === '0' ? 'success' : 'operator_refusal', answer.returnCode ?? null);
      return answer;
    } catch (error) {
      observe(classifySoapError(error).kind);
      throw error;
    }
  }

  private soapClient(): Promise<Client> {
    this.client ??= createClientAsync(TOPUP_WSDL_PATH, { endpoint: this.endpoint.url }).then((client) => {
      client.addSoapHeader(
        { [AUTH_HEADER_ELEMENT]: { username: this.endpoint.username, password: this.endpoint.password } },
        '',
        'tns',
        TOPUP_NAMESPACE,
      );
      return client;
    });
    this.client.catch(() => (this.client = null));
    return this.client;
  }
}
