import { toOperatorDateTime } from '../../operator/operator-date.format';
import { isFixedNumber, isMobileNumber, toLocalNumber } from '../../operator/phone-number.format';
import { OperatorCode } from '../../operator/operator-codes';
import {
  BALANCE_TYPES,
  type ExecuteCommandRequest,
  type ExecuteCommandResponse,
  type GetBalancesRequest,
  type GetBalancesResponse,
  type GetMyNumbersRequest,
  type GetMyNumbersResponse,
  type GetPackagesRequest,
  type GetPackagesResponse,
  type GetStatusForRechargeRequest,
  type GetStatusForRechargeResponse,
  type OperatorResult,
  type SoapPackage,
} from '../../operator/soap-types';
import { runCommand } from './fake-operator.commands';
import { result, text } from './operator-result';
import { createFixtureState, type FixedLine, type MobileAccount, type OperatorState } from './operator.fixtures';

/** What node-soap hands a service: strings, numbers, or `{}`/undefined for an empty element. */
export type RawArgs<T> = { [K in keyof T]?: unknown };

/**
 * The operator's business rules over an in-memory state, without any SOAP: accounts, balances,
 * packages, directories, PINs. It never deduplicates transaction ids (the gateway must not send
 * a command twice); it counts how often each one ran instead.
 */
export class FakeOperator {
  private state: OperatorState;
  private readonly executions = new Map<string, number>();

  constructor(private readonly now: () => number) {
    this.state = createFixtureState(now());
  }

  /** Back to the fixtures, with execution counts cleared. */
  reset(): void {
    this.state = createFixtureState(this.now());
    this.executions.clear();
  }

  executionsOf(transactionId: string): number {
    return this.executions.get(transactionId) ?? 0;
  }

  /** Opens (or replaces) a mobile account with an empty directory, until the next reset. */
  addMobile(account: { msisdn: string; pin: string; balance: number }): void {
    const msisdn = toLocalNumber(account.msisdn);
    this.state.mobiles.set(msisdn, { msisdn, pin: account.pin, balance: account.balance, directory: [] });
  }

  mobile(msisdn: string): Readonly<MobileAccount> | undefined {
    return this.state.mobiles.get(toLocalNumber(msisdn));
  }

  fixedLine(isdn: string): Readonly<FixedLine> | undefined {
    return this.state.fixedLines.get(toLocalNumber(isdn));
  }

  getBalances(args: RawArgs<GetBalancesRequest>): GetBalancesResponse {
    const refused = this.checkMobile(text(args.msisdn)) ?? this.checkLine(text(args.isdn));
    if (refused) {
      return refused;
    }
    const line = this.findLine(text(args.isdn)) as FixedLine;
    const balance = BALANCE_TYPES.flatMap((type) => {
      const entry = line.balances.get(type);
      return entry ? [{ type, value: entry.value, expireDate: toOperatorDateTime(entry.expireAt) }] : [];
    });
    return { ...result(OperatorCode.SUCCESS), balance };
  }

  getMyNumbers(args: RawArgs<GetMyNumbersRequest>): GetMyNumbersResponse {
    const refused = this.checkMobile(text(args.msisdn));
    if (refused) {
      return refused;
    }
    const account = this.findMobile(text(args.msisdn)) as MobileAccount;
    const number = account.directory.map((entry) => ({
      isdn: entry.isdn,
      addedDate: entry.addedDate,
      statusCode: this.lineStatus(entry.isdn),
    }));
    return { ...result(OperatorCode.SUCCESS), number };
  }

  getStatusForRecharge(args: RawArgs<GetStatusForRechargeRequest>): GetStatusForRechargeResponse {
    return result(this.lineStatus(text(args.isdn)));
  }

  getPackages(args: RawArgs<GetPackagesRequest>): GetPackagesResponse {
    const refused = this.checkMobile(text(args.msisdn)) ?? this.checkLine(text(args.isdn));
    if (refused) {
      return refused;
    }
    const type = Number(args.type);
    const packages: SoapPackage[] = this.state.catalog
      .filter((entry) => entry.types.includes(type))
      .map(({ types: _types, ...soapPackage }) => soapPackage);
    if (packages.length === 0 || this.lineStatus(text(args.isdn)) === OperatorCode.NO_PACKAGE_AVAILABLE) {
      return result(OperatorCode.NO_PACKAGE_AVAILABLE);
    }
    return { ...result(OperatorCode.SUCCESS), package: packages };
  }

  executeCommand(args: RawArgs<ExecuteCommandRequest>): ExecuteCommandResponse {
    const request: ExecuteCommandRequest = {
      msisdn: text(args.msisdn),
      actionType: Number(args.actionType),
      commandContent: text(args.commandContent),
      pincode: text(args.pincode),
      transactionId: text(args.transactionId),
    };
    this.executions.set(request.transactionId, this.executionsOf(request.transactionId) + 1);
    const outcome = runCommand(this.state, request, this.now());
    return { ...outcome, transactionId: request.transactionId };
  }

  private findMobile(msisdn: string): MobileAccount | undefined {
    return isMobileNumber(msisdn) ? this.state.mobiles.get(toLocalNumber(msisdn)) : undefined;
  }

  private findLine(isdn: string): FixedLine | undefined {
    return isFixedNumber(isdn) ? this.state.fixedLines.get(toLocalNumber(isdn)) : undefined;
  }

  private lineStatus(isdn: string): FixedLine['status'] {
    return this.findLine(isdn)?.status ?? OperatorCode.NUMBER_NOT_FOUND;
  }

  private checkMobile(msisdn: string): OperatorResult | undefined {
    return this.findMobile(msisdn) ? undefined : result(OperatorCode.NUMBER_NOT_FOUND, 'Mobile number does not exist');
  }

  /** Lines that are not eligible (1, 2, 3, 5) answer their status for any query about them. */
  private checkLine(isdn: string): OperatorResult | undefined {
    const status = this.lineStatus(isdn);
    return status === OperatorCode.SUCCESS || status === OperatorCode.NO_PACKAGE_AVAILABLE ? undefined : result(status);
  }
}
