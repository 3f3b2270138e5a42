import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { operatorError } from '../errors/operator-errors';
import { toLocalNumber } from '../../operator/phone-number.format';
import { TopUpGateway } from '../gateway/topup-gateway';
import { presentBalances, mainBalance } from '../presenters/balances.presenter';
import { presentDirectory } from '../presenters/directory.presenter';
import { presentPackages } from '../presenters/packages.presenter';
import { presentLineStatus } from '../presenters/status.presenter';
import { OperatorCode } from '../../operator/operator-codes';
import type { OperatorResult } from '../../operator/soap-types';
import { UnknownNumberResolver } from './unknown-number.resolver';

/** The read side of the TopUp API: balances, directory, line status, packages. */
@Injectable()
export class TopUpQueriesService {
  constructor(
    private readonly gateway: TopUpGateway,
    private readonly clock: Clock,
    private readonly unknownNumbers: UnknownNumberResolver,
  ) {}

  async balances(msisdn: string, isdn: string) {
    const result = await this.gateway.getBalances(toLocalNumber(msisdn), toLocalNumber(isdn));
    await this.assertSuccess(result, { msisdn, isdn });
    return presentBalances(msisdn, isdn, result.balance ?? [], this.clock.now());
  }

  async directory(msisdn: string) {
    const result = await this.gateway.getMyNumbers(toLocalNumber(msisdn));
    await this.assertSuccess(result, { msisdn });
    return presentDirectory(msisdn, result.number ?? [], this.clock.now());
  }

  async status(isdn: string) {
    const result = await this.gateway.getStatusForRecharge(toLocalNumber(isdn));
    // 453 is a line that can be recharged and only has no package to offer: a status, not a refusal
    // (the guide's workflow reads `status.status.eligible`); /packages refuses it with 453.
    if (result.returnCode !== OperatorCode.NO_PACKAGE_AVAILABLE) await this.assertSuccess(result, { isdn });
    return presentLineStatus(isdn, result.returnCode, result.description, this.clock.now());
  }

  /** Packages of one type, each marked affordable or not against the fixed line's main balance. */
  async packages(msisdn: string, isdn: string, type: number) {
    const [packages, balances] = await Promise.all([
      this.gateway.getPackages(toLocalNumber(msisdn), toLocalNumber(isdn), type),
      this.gateway.getBalances(toLocalNumber(msisdn), toLocalNumber(isdn)),
    ]);
    await this.assertSuccess(packages, { msisdn, isdn });
    const main = balances.returnCode === OperatorCode.SUCCESS ? mainBalance(balances.balance ?? []) : 0;
    return presentPackages({ msisdn, isdn, type }, packages.package ?? [], main, this.clock.now());
  }

  private async assertSuccess(result: OperatorResult, context: { msisdn?: string; isdn?: string }): Promise<void> {
    if (result.returnCode === OperatorCode.SUCCESS) return;
    // Code 1 about a request naming both numbers: say which one is unknown.
    const unknown =
      result.returnCode === OperatorCode.NUMBER_NOT_FOUND && context.msisdn && context.isdn
        ? await this.unknownNumbers.which(context.msisdn, context.isdn)
        : undefined;
    throw operatorError(result.returnCode, { ...context, unknown, now: new Date(this.clock.now()) });
  }
}
