import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock/clock';
import { CommandRunner } from '../commands/command-runner.service';
import { operatorError } from '../errors/operator-errors';
import { toLocalNumber } from '../../operator/phone-number.format';
import { TopUpGateway } from '../gateway/topup-gateway';
import {
  presentDirectoryChange,
  presentPinChange,
  presentRecharge,
  presentSubscription,
} from '../presenters/commands.presenter';
import { ActionType, OperatorCode, PackageType } from '../../operator/operator-codes';
import type { SoapPackage } from '../../operator/soap-types';
import type {
  DirectoryRequestDto,
  RechargeAccountRequestDto,
  SubscribePackageRequestDto,
  UpdatePinRequestDto,
} from '../validation/topup-requests.dto';
import { UnknownNumberResolver } from './unknown-number.resolver';

/** PIN used when the request gives none, as the spec says. */
export const DEFAULT_PIN = '0000';

/** The commands of the TopUp API; each runs at most once per (number, transaction_id) (CommandRunner). */
@Injectable()
export class TopUpCommandsService {
  constructor(
    private readonly runner: CommandRunner,
    private readonly gateway: TopUpGateway,
    private readonly clock: Clock,
    private readonly unknownNumbers: UnknownNumberResolver,
  ) {}

  subscribePackage(request: SubscribePackageRequestDto, clientAddress: string) {
    const isdn = toLocalNumber(request.isdn);
    const commandContent = `${isdn}#${request.package_code}`;
    let found: SoapPackage | undefined;
    return this.runner.run({
      operation: 'subscribe_package',
      actionType: ActionType.PACKAGE_SUBSCRIPTION,
      msisdn: request.msisdn,
      pincode: request.pincode ?? DEFAULT_PIN,
      commandContent,
      transactionId: request.transaction_id,
      clientAddress,
      fingerprint: { msisdn: toLocalNumber(request.msisdn), isdn, package_code: request.package_code },
      errorContext: { isdn: request.isdn, packageCode: request.package_code },
      shortfallOf: 'package',
      prepare: async () => {
        found = await this.findPackage(request.msisdn, request.isdn, request.package_code);
      },
      present: (response, transactionId, now) =>
        presentSubscription(request, found!, response, {
          transactionId,
          commandContent,
          actionType: ActionType.PACKAGE_SUBSCRIPTION,
          now,
        }),
    });
  }

  rechargeAccount(request: RechargeAccountRequestDto, clientAddress: string) {
    const isdn = toLocalNumber(request.isdn);
    const commandContent = `${isdn}#${request.amount}`;
    return this.runner.run({
      operation: 'recharge_account',
      actionType: ActionType.RECHARGE,
      msisdn: request.msisdn,
      pincode: request.pincode ?? DEFAULT_PIN,
      commandContent,
      transactionId: request.transaction_id,
      clientAddress,
      fingerprint: { msisdn: toLocalNumber(request.msisdn), isdn, amount: request.amount },
      errorContext: { isdn: request.isdn },
      shortfallOf: 'recharge',
      present: (response, transactionId, now) =>
        presentRecharge(request, response, { transactionId, commandContent, actionType: ActionType.RECHARGE, now }),
    });
  }

  updatePin(request: UpdatePinRequestDto, clientAddress: string) {
    return this.runner.run({
      operation: 'update_pin',
      actionType: ActionType.PIN_CHANGE,
      msisdn: request.msisdn,
      pincode: request.old_pin,
      commandContent: request.new_pin,
      transactionId: request.transaction_id,
      clientAddress,
      fingerprint: { msisdn: toLocalNumber(request.msisdn) },
      errorContext: {},
      present: (_response, transactionId, now) =>
        presentPinChange(request, { transactionId, actionType: ActionType.PIN_CHANGE, now }),
    });
  }

  changeDirectory(operation: 'add' | 'remove', request: DirectoryRequestDto, clientAddress: string) {
    const actionType = operation === 'add' ? ActionType.DIRECTORY_ADD : ActionType.DIRECTORY_REMOVE;
    const isdn = toLocalNumber(request.isdn);
    return this.runner.run({
      operation: operation === 'add' ? 'directory_add' : 'directory_remove',
      actionType,
      msisdn: request.msisdn,
      pincode: request.pincode ?? DEFAULT_PIN,
      commandContent: isdn,
      transactionId: request.transaction_id,
      clientAddress,
      fingerprint: { msisdn: toLocalNumber(request.msisdn), isdn },
      errorContext: { isdn: request.isdn },
      present: (response, transactionId, now) =>
        presentDirectoryChange(operation, request, response, { transactionId, actionType, now }),
    });
  }

  /** The package's price and description, from whichever type lists it; refuses before any money moves. */
  private async findPackage(msisdn: string, isdn: string, packageCode: string): Promise<SoapPackage> {
    const types = Object.values(PackageType);
    const results = await Promise.all(
      types.map((type) => this.gateway.getPackages(toLocalNumber(msisdn), toLocalNumber(isdn), type)),
    );
    const now = new Date(this.clock.now());
    const refusal = results.find((r) => r.returnCode !== OperatorCode.SUCCESS && r.returnCode !== OperatorCode.NO_PACKAGE_AVAILABLE);
    if (refusal) {
      const unknown = refusal.returnCode === OperatorCode.NUMBER_NOT_FOUND ? await this.unknownNumbers.which(msisdn, isdn) : undefined;
      throw operatorError(refusal.returnCode, { msisdn, isdn, packageCode, unknown, now });
    }
    const found = results.flatMap((r) => r.package ?? []).find((p) => p.packageCode === packageCode);
    // A line with no package of any type (453) is refused as such, not as "unknown package".
    const none = results.every((r) => r.returnCode === OperatorCode.NO_PACKAGE_AVAILABLE);
    if (!found) throw operatorError(none ? OperatorCode.NO_PACKAGE_AVAILABLE : OperatorCode.PACKAGE_NOT_FOUND, { msisdn, isdn, packageCode, now });
    return found;
  }
}
