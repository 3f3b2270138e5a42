import { Inject, Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { AppConfig } from '../../config/app-config';
import { MetricsService } from '../../metrics/metrics.service';
import { operatorError, OperatorErrorContext } from '../errors/operator-errors';
import { TopUpError } from '../errors/topup-error';
import { toLocalNumber } from '../../operator/phone-number.format';
import { publicBackendUrl, topUpErrorResponse } from '../errors/topup-error.renderer';
import { SOAP_ENDPOINT, SoapEndpoint } from '../../operator/soap-endpoint';
import { TopUpGateway } from '../gateway/topup-gateway';
import { breakerOpen, TopUpUnavailableError } from '../gateway/topup-unavailable.error';
import { CommandJournal, CommandResult } from '../journal/command-journal';
import { PinAttempt, PinAttemptOutcome, PinGuard, PinLock, PinLockedError } from '../pins/pin-guard';
import { ActionType, OperatorCode } from '../../operator/operator-codes';
import type { ExecuteCommandResponse } from '../../operator/soap-types';
import { idReused, pinDigestOf, pinLocked, requestHashOf, stillRunning, withTransactionId } from './command-answers';
import { newTopUpTransactionId } from './topup-transaction-id';
import { UnknownNumberResolver } from '../services/unknown-number.resolver';

export interface CommandSpec {
  operation: 'update_pin' | 'directory_add' | 'directory_remove' | 'subscribe_package' | 'recharge_account';
  actionType: ActionType;
  msisdn: string;
  pincode: string;
  commandContent: string;
  transactionId?: string;
  /** The caller's address (the socket's, or X-Forwarded-For from a trusted proxy): PIN attempts are counted per address too. */
  clientAddress: string;
  /** The request without its PIN: what makes a replay "the same request". */
  fingerprint: Record<string, unknown>;
  errorContext: Pick<OperatorErrorContext, 'isdn' | 'packageCode'>;
  /** Which balance an "insufficient balance" answer is about. */
  shortfallOf?: 'package' | 'recharge';
  /** Queries to run once the id is journaled and before sending (e.g. find the package); a failure releases the id. */
  prepare?: () => Promise<void>;
  /** The 200 body of a successful command. */
  present: (response: ExecuteCommandResponse, transactionId: string, now: Date) => Record<string, unknown>;
}

interface Running {
  spec: CommandSpec;
  msisdn: string;
  transactionId: string;
  attempt: PinAttempt;
  /** When the caller must be answered (the request ceiling, less a margin). */
  deadline: number;
}

/** The answer must leave before the request ceiling (TOPUP_REQUEST_TIMEOUT_MS) cuts the connection. */
const CEILING_MARGIN_MS = 1_000;

/**
 * Runs a TopUp command at most once per (mobile number, transaction_id). In order: the journal
 * entry (a replay gets the recorded answer, with the original's PIN only, even while the SOAP
 * breaker is open), the breaker (open: refused, nothing counted), a PIN attempt reserved
 * before anything is sent (PinGuard), the command, then its answer recorded and the attempt
 * settled. A command that may have run at the operator without an answer read is never sent again
 * under its id: its answer says `outcome_unknown: true`. Every answer carries the transaction_id.
 */
@Injectable()
export class CommandRunner {
  private readonly logger = new Logger('TopUpCommands');
  /** Shown in the recorded "Erreur SOAP" answer of a command whose outcome is unknown. */
  private readonly backendUrl: string | null;

  constructor(
    private readonly gateway: TopUpGateway,
    private readonly journal: CommandJournal,
    private readonly pins: PinGuard,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    @Inject(SOAP_ENDPOINT) endpoint: SoapEndpoint,
    private readonly unknownNumbers: UnknownNumberResolver,
  ) {
    this.backendUrl = publicBackendUrl(endpoint.url);
  }

  async run(spec: CommandSpec): Promise<Record<string, unknown>> {
    const began = this.clock.now();
    const transactionId = spec.transactionId ?? newTopUpTransactionId(began);
    const msisdn = toLocalNumber(spec.msisdn);
    try {
      const start = await this.start(spec, msisdn, transactionId);
      if ('replay' in start) {
        // The recorded answer, marked (and given the Idempotent-Replayed header by the interceptor).
        const answer = { ...(start.replay.response as Record<string, unknown>), replayed: true };
        if (start.replay.httpStatus >= 400) throw new TopUpError(start.replay.httpStatus, answer as unknown as TopUpError['body']);
        return answer;
      }
      const deadline = began + this.config.topupRequestTimeoutMs - CEILING_MARGIN_MS;
      return await this.execute({ spec, msisdn, transactionId, attempt: start.attempt, deadline });
    } catch (error) {
      throw withTransactionId(error, transactionId, this.clock.now());
    }
  }

  /** Journals the command and reserves a PIN attempt, or finds the answer the journal recorded for it. */
  private async start(
    spec: CommandSpec,
    msisdn: string,
    transactionId: string,
  ): Promise<{ attempt: PinAttempt } | { replay: { httpStatus: number; response: unknown } }> {
    const start = await this.journal.begin(
      {
        msisdn,
        transactionId,
        operation: spec.operation,
        requestHash: requestHashOf({ operation: spec.operation, ...spec.fingerprint }),
        pinDigest: pinDigestOf(this.config.pinHashKey, msisdn, spec.pincode),
      },
      this.clock.now(),
    );
    const context = { msisdn: spec.msisdn, isdn: spec.errorContext.isdn, now: this.clock.now() };
    // A recorded answer (or "still running") for the right PIN against a 409 for a wrong one would
    // be a PIN oracle: a wrong PIN on a replay counts as a wrong PIN, and while the number is
    // refused here, the right one is refused the same way (the answer stays recorded for later).
    if (start.kind === 'pin_mismatch') {
      await this.settlePin(await this.reservePin(spec, msisdn, transactionId), 'wrong');
      throw idReused(transactionId, context);
    }
    if (start.kind === 'replay' || start.kind === 'running') await this.checkPin(spec, msisdn, transactionId);
    if (start.kind === 'replay') return { replay: start };
    if (start.kind === 'running') throw stillRunning(transactionId, context);
    if (start.kind === 'conflict') throw idReused(transactionId, context);
    // Only after the journal: a replay of a command that ran must get its answer, never a refusal
    // saying nothing was executed. While the breaker refuses every call no PIN attempt is counted.
    if (this.gateway.breakerState() === 'open') {
      await this.journal.release(msisdn, transactionId);
      throw breakerOpen('executeCommand');
    }
    try {
      return await this.reservePin(spec, msisdn, transactionId);
    } catch (error) {
      await this.journal.release(msisdn, transactionId);
      throw error;
    }
  }

  /**
   * Sends the command and answers before `deadline`: past it, the caller is told the outcome is
   * unknown (with the id to ask again) while the command goes on and records its answer.
   */
  private async execute(running: Running): Promise<Record<string, unknown>> {
    const { deadline } = running;
    try {
      await running.spec.prepare?.();
    } catch (error) {
      await this.abandon(running);
      throw error;
    }
    if (this.clock.now() >= deadline) {
      await this.abandon(running);
      throw ceilingReached(false);
    }
    const sending = this.send(running);
    let timer: NodeJS.Timeout | undefined;
    const ceiling = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(ceilingReached(true)), Math.max(0, deadline - this.clock.now()));
    });
    try {
      return await Promise.race([sending, ceiling]);
    } catch (error) {
      if (error instanceof CeilingReached) {
        sending.catch(() => undefined);
        this.logger.warn({ transactionId: running.transactionId }, 'Command still running at the request ceiling: answered outcome unknown, its answer will be recorded');
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The command at the operator, its answer recorded and its PIN attempt settled. */
  private async send(running: Running): Promise<Record<string, unknown>> {
    const { spec, msisdn, transactionId } = running;
    let response: ExecuteCommandResponse;
    try {
      response = await this.gateway.executeCommand({ msisdn, actionType: spec.actionType, commandContent: spec.commandContent, pincode: spec.pincode, transactionId });
    } catch (error) {
      if (error instanceof TopUpUnavailableError && !error.outcomeUnknown) {
        await this.abandon(running);
        throw error;
      }
      const answer = withTransactionId(error, transactionId, this.clock.now(), true);
      const recorded = topUpErrorResponse(answer, { method: 'POST', url: '', id: transactionId }, this.backendUrl, new Date(this.clock.now()));
      await this.journal.finish(msisdn, transactionId, { state: 'unknown', httpStatus: recorded.status, response: recorded.body }, this.clock.now());
      await this.settlePin(running, 'unknown');
      this.logger.error({ transactionId }, 'Command sent but unanswered: it may have run at the operator; it will not be sent again');
      // The very answer a replay will get.
      throw new TopUpError(recorded.status, recorded.body as TopUpError['body']);
    }
    return this.settle(running, response);
  }

  private async settle(running: Running, response: ExecuteCommandResponse): Promise<Record<string, unknown>> {
    const { spec, transactionId } = running;
    const now = new Date(this.clock.now());
    if (response.returnCode === OperatorCode.SUCCESS) {
      const body = spec.present(response, transactionId, now);
      await this.record(running, 'executed', 200, body);
      await this.settlePin(running, 'not_wrong');
      return body;
    }
    const wrongPin = response.returnCode === OperatorCode.WRONG_PIN;
    // Code 1 about a command naming both numbers: which one is unknown, asked before the answer is recorded.
    const unknown =
      response.returnCode === OperatorCode.NUMBER_NOT_FOUND && spec.errorContext.isdn
        ? await this.unknownNumbers.which(spec.msisdn, spec.errorContext.isdn, running.deadline)
        : undefined;
    const error = operatorError(response.returnCode, {
      msisdn: spec.msisdn,
      transactionId,
      now,
      unknown,
      ...spec.errorContext,
      ...(response.requiredAmount !== undefined &&
        response.currentBalance !== undefined && {
          shortfall: { requiredAmount: response.requiredAmount, currentBalance: response.currentBalance, of: spec.shortfallOf ?? 'package' },
        }),
    });
    await this.record(running, wrongPin ? 'wrong_pin' : 'refused', error.httpStatus, error.body);
    await this.settlePin(running, wrongPin ? 'wrong' : 'not_wrong');
    throw error;
  }

  private record(running: Running, result: CommandResult, httpStatus: number, response: unknown): Promise<void> {
    return this.journal.finish(running.msisdn, running.transactionId, { state: 'done', result, httpStatus, response }, this.clock.now());
  }

  /** Never sent: the id is freed and the PIN attempt given back. */
  private async abandon(running: Running): Promise<void> {
    await this.journal.release(running.msisdn, running.transactionId);
    await this.settlePin(running, 'not_sent');
  }

  private async checkPin(spec: CommandSpec, msisdn: string, transactionId: string): Promise<void> {
    try {
      await this.pins.check(msisdn, spec.clientAddress, this.clock.now());
    } catch (error) {
      if (error instanceof PinLockedError) throw pinLocked(msisdn, error.until, this.clock.now(), transactionId);
      throw error;
    }
  }

  /** A PIN attempt counted before anything that depends on the PIN; a locked number is a 429. */
  private async reservePin(spec: CommandSpec, msisdn: string, transactionId: string): Promise<{ attempt: PinAttempt }> {
    try {
      return { attempt: await this.pins.reserve(msisdn, spec.clientAddress, this.clock.now()) };
    } catch (error) {
      if (error instanceof PinLockedError) throw pinLocked(msisdn, error.until, this.clock.now(), transactionId);
      throw error;
    }
  }

  private async settlePin(running: Pick<Running, 'attempt'>, outcome: PinAttemptOutcome): Promise<void> {
    const locks = await this.pins.settle(running.attempt, outcome, this.clock.now());
    for (const lock of locks) this.reportLock(lock);
  }

  private reportLock(lock: PinLock): void {
    this.metrics.pinLockouts.inc({ scope: lock.scope });
    this.logger.warn(
      { msisdn: lock.msisdn, scope: lock.scope, clientAddress: lock.clientAddress, lockedUntil: new Date(lock.lockedUntil).toISOString(), locks: lock.locks },
      'Too many wrong PINs: commands locked',
    );
  }
}

class CeilingReached extends TopUpError {}

/** The request ceiling of spec 004 ("Timeout par requête"), reached before or after the command was sent. */
function ceilingReached(sent: boolean): TopUpError {
  return new CeilingReached(503, {
    erreur: 'Service indisponible',
    message: sent
      ? 'La requête a dépassé le délai maximal : la commande a peut-être été exécutée, redemandez avec le même transaction_id'
      : 'La requête a dépassé le délai maximal avant l’envoi de la commande : rien n’a été exécuté',
    returnCode: 'REQUEST_TIMEOUT',
    details: { outcome_unknown: sent },
  });
}
