import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock } from '../../common/clock/clock';
import { MetricsService } from '../../metrics/metrics.service';
import { TransactionRepository } from '../../transactions/transaction.repository';
import { operatorError, OperatorErrorContext } from '../errors/operator-errors';
import { TopUpError } from '../errors/topup-error';
import { topUpErrorResponse } from '../errors/topup-error.renderer';
import { toLocalNumber } from '../formatting/phone-number.format';
import { TopUpGateway } from '../gateway/topup-gateway';
import { TopUpUnavailableError } from '../gateway/topup-unavailable.error';
import { ActionType, OperatorCode } from '../soap/operator-codes';
import type { ExecuteCommandResponse } from '../soap/soap-types';
import { PinGuard } from './pin-guard';
import { newTopUpTransactionId } from './topup-transaction-id';

export interface CommandSpec {
  operation: 'update_pin' | 'directory_add' | 'directory_remove' | 'subscribe_package' | 'recharge_account';
  actionType: ActionType;
  msisdn: string;
  pincode: string;
  commandContent: string;
  transactionId?: string;
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

/**
 * Runs a TopUp command at most once per transaction_id: locked numbers are refused, the command is
 * journaled before it is sent, its answer after, and a replay gets the recorded answer without
 * reaching the operator. A command that may have run (sent, no answer) is never sent again.
 */
@Injectable()
export class CommandRunner {
  private readonly logger = new Logger('TopUpCommands');

  constructor(
    private readonly gateway: TopUpGateway,
    private readonly journal: TransactionRepository,
    private readonly pins: PinGuard,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  async run(spec: CommandSpec): Promise<Record<string, unknown>> {
    const transactionId = spec.transactionId ?? newTopUpTransactionId(this.clock.now());
    const msisdn = toLocalNumber(spec.msisdn);
    await this.refuseIfLocked(msisdn, transactionId);

    const start = await this.journal.beginCommand(
      { transactionId, operation: spec.operation, msisdn, requestHash: hashOf({ operation: spec.operation, ...spec.fingerprint }) },
      this.clock.now(),
    );
    if (start.kind === 'replay') {
      if (start.httpStatus >= 400) throw new TopUpError(start.httpStatus, start.response as TopUpError['body']);
      return start.response as Record<string, unknown>;
    }
    if (start.kind === 'running') throw refusal(409, 'Transaction en cours', 'Cette transaction est déjà en cours de traitement', 'TRANSACTION_IN_PROGRESS', transactionId);
    if (start.kind === 'conflict') throw refusal(409, 'Identifiant de transaction déjà utilisé', 'Ce transaction_id a déjà servi pour une autre opération', 'TRANSACTION_ID_REUSED', transactionId);

    try {
      await spec.prepare?.();
    } catch (error) {
      await this.journal.releaseCommand(transactionId);
      throw error;
    }
    let response: ExecuteCommandResponse;
    try {
      response = await this.gateway.executeCommand({
        msisdn,
        actionType: spec.actionType,
        commandContent: spec.commandContent,
        pincode: spec.pincode,
        transactionId,
      });
    } catch (error) {
      await this.recordFailure(transactionId, error);
      throw error;
    }
    return this.settle(spec, transactionId, msisdn, response);
  }

  private async settle(spec: CommandSpec, transactionId: string, msisdn: string, response: ExecuteCommandResponse) {
    const now = new Date(this.clock.now());
    if (response.returnCode === OperatorCode.SUCCESS) {
      const body = spec.present(response, transactionId, now);
      await this.journal.finishCommand(transactionId, { state: 'done', httpStatus: 200, response: body }, now.getTime());
      await this.pins.recordSuccess(msisdn);
      return body;
    }
    if (response.returnCode === OperatorCode.WRONG_PIN) {
      const lockedUntil = await this.pins.recordFailure(msisdn, now.getTime());
      if (lockedUntil) this.metrics.pinLockouts.inc();
      if (lockedUntil) this.logger.warn({ msisdn, lockedUntil: new Date(lockedUntil).toISOString() }, 'Too many wrong PINs: commands locked');
    }
    const error = operatorError(response.returnCode, {
      msisdn: spec.msisdn,
      transactionId,
      now,
      ...spec.errorContext,
      ...(response.requiredAmount !== undefined &&
        response.currentBalance !== undefined && {
          shortfall: { requiredAmount: response.requiredAmount, currentBalance: response.currentBalance, of: spec.shortfallOf ?? 'package' },
        }),
    });
    await this.journal.finishCommand(transactionId, { state: 'done', httpStatus: error.httpStatus, response: error.body }, now.getTime());
    throw error;
  }

  /** Sent with no answer: it may have run, so its id is spent. Never sent: the id may be tried again. */
  private async recordFailure(transactionId: string, error: unknown): Promise<void> {
    if (error instanceof TopUpUnavailableError && error.outcomeUnknown) {
      const { status, body } = topUpErrorResponse(error, { method: 'POST', url: '', id: transactionId }, null, new Date(this.clock.now()));
      await this.journal.finishCommand(transactionId, { state: 'unknown', httpStatus: status, response: { ...body, transaction_id: transactionId } }, this.clock.now());
      this.logger.error({ transactionId }, 'Command sent but unanswered: it may have run at the operator; it will not be sent again');
      return;
    }
    await this.journal.releaseCommand(transactionId);
  }

  private async refuseIfLocked(msisdn: string, transactionId: string): Promise<void> {
    const lockedUntil = await this.pins.lockedUntil(msisdn, this.clock.now());
    if (lockedUntil === null) return;
    const minutes = Math.ceil((lockedUntil - this.clock.now()) / 60_000);
    throw new TopUpError(429, {
      erreur: 'Numéro temporairement bloqué',
      message: `Trop de codes PIN incorrects : les opérations de ce numéro sont bloquées pendant encore ${minutes} minute${minutes > 1 ? 's' : ''}`,
      returnCode: 'PIN_LOCKED',
      transaction_id: transactionId,
      details: { mobile_msisdn: msisdn, locked_until: new Date(lockedUntil).toISOString(), retry_after_seconds: Math.ceil((lockedUntil - this.clock.now()) / 1000) },
    });
  }
}

function refusal(status: number, erreur: string, message: string, returnCode: string, transactionId: string): TopUpError {
  return new TopUpError(status, { erreur, message, returnCode, transaction_id: transactionId });
}

function hashOf(value: Record<string, unknown>): string {
  const sorted = Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}
