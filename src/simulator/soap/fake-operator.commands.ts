import { toOperatorDate } from '../../operator/operator-date.format';
import { isFixedNumber, isMobileNumber, toLocalNumber } from '../../operator/phone-number.format';
import { ActionType, OperatorCode } from '../../operator/operator-codes';
import type {
  BalanceType,
  ExecuteCommandRequest,
  ExecuteCommandResponse,
  OperatorResult,
} from '../../operator/soap-types';
import type { CatalogPackage, FixedLine, MobileAccount, OperatorState } from './operator.fixtures';
import { money, result } from './operator-result';

const DAY = 86_400_000;
const PIN_PATTERN = /^\d{4}$/;
const PACKAGE_CODE_PATTERN = /^[A-Za-z0-9_]+$/;
/** A balance created by a recharge on a line that had none. */
const NEW_BALANCE_VALIDITY_DAYS = 30;

type CommandOutcome = Omit<ExecuteCommandResponse, 'transactionId'>;

interface CommandContext {
  state: OperatorState;
  account: MobileAccount;
  request: ExecuteCommandRequest;
  now: number;
}

/** One executeCommand against the state; the caller counts it and echoes the transaction id. */
export function runCommand(state: OperatorState, request: ExecuteCommandRequest, now: number): CommandOutcome {
  const handler = HANDLERS.get(request.actionType);
  if (!handler) {
    return result(OperatorCode.UNKNOWN_ACTION_TYPE);
  }
  const account = state.mobiles.get(toLocalNumber(request.msisdn));
  if (!account || !isMobileNumber(request.msisdn)) {
    return result(OperatorCode.NUMBER_NOT_FOUND, 'Mobile number does not exist');
  }
  // For a PIN change `pincode` is the old PIN, so the same check covers every action type.
  if (request.pincode !== account.pin) {
    return result(OperatorCode.WRONG_PIN);
  }
  return handler({ state, account, request, now });
}

const HANDLERS = new Map<number, (context: CommandContext) => CommandOutcome>([
  [ActionType.PIN_CHANGE, changePin],
  [ActionType.DIRECTORY_ADD, addToDirectory],
  [ActionType.DIRECTORY_REMOVE, removeFromDirectory],
  [ActionType.PACKAGE_SUBSCRIPTION, subscribePackage],
  [ActionType.RECHARGE, recharge],
]);

function changePin({ account, request }: CommandContext): CommandOutcome {
  if (!PIN_PATTERN.test(request.commandContent)) {
    return result(OperatorCode.INVALID_COMMAND_CONTENT);
  }
  account.pin = request.commandContent;
  return result(OperatorCode.SUCCESS);
}

function addToDirectory({ state, account, request, now }: CommandContext): CommandOutcome {
  const isdn = request.commandContent;
  if (!isFixedNumber(isdn)) {
    return result(OperatorCode.INVALID_COMMAND_CONTENT);
  }
  const local = toLocalNumber(isdn);
  if (!state.fixedLines.has(local)) {
    return result(OperatorCode.NUMBER_NOT_FOUND);
  }
  if (account.directory.some((entry) => entry.isdn === local)) {
    return result(OperatorCode.ALREADY_IN_DIRECTORY);
  }
  account.directory.push({ isdn: local, addedDate: toOperatorDate(now) });
  return { ...result(OperatorCode.SUCCESS), directorySize: account.directory.length };
}

function removeFromDirectory({ account, request }: CommandContext): CommandOutcome {
  const isdn = request.commandContent;
  if (!isFixedNumber(isdn)) {
    return result(OperatorCode.INVALID_COMMAND_CONTENT);
  }
  const local = toLocalNumber(isdn);
  const index = account.directory.findIndex((entry) => entry.isdn === local);
  if (index < 0) {
    return result(OperatorCode.NOT_IN_DIRECTORY);
  }
  account.directory.splice(index, 1);
  return { ...result(OperatorCode.SUCCESS), directorySize: account.directory.length };
}

function subscribePackage({ state, request, now }: CommandContext): CommandOutcome {
  const [isdn, packageCode, ...rest] = request.commandContent.split('#');
  if (rest.length > 0 || !isFixedNumber(isdn) || !PACKAGE_CODE_PATTERN.test(packageCode ?? '')) {
    return result(OperatorCode.INVALID_COMMAND_CONTENT);
  }
  const line = eligibleLine(state, isdn);
  if ('returnCode' in line) {
    return line;
  }
  if (line.status === OperatorCode.NO_PACKAGE_AVAILABLE) {
    return result(OperatorCode.NO_PACKAGE_AVAILABLE);
  }
  const chosen = state.catalog.find((entry) => entry.packageCode === packageCode);
  if (!chosen) {
    return result(OperatorCode.PACKAGE_NOT_FOUND);
  }
  const before = line.balances.get('COMMON')?.value ?? 0;
  if (before < chosen.price) {
    return { ...result(OperatorCode.INSUFFICIENT_BALANCE), requiredAmount: chosen.price, currentBalance: before };
  }
  moveMoney(line, -chosen.price, now);
  creditPackage(line, chosen, now);
  return {
    ...result(OperatorCode.SUCCESS),
    fixedBalanceBefore: before,
    fixedBalanceAfter: money(before - chosen.price),
  };
}

function recharge({ state, account, request, now }: CommandContext): CommandOutcome {
  const [isdn, rawAmount, ...rest] = request.commandContent.split('#');
  const amount = Number(rawAmount);
  if (rest.length > 0 || !isFixedNumber(isdn) || !/^\d+(\.\d{1,2})?$/.test(rawAmount ?? '') || amount <= 0) {
    return result(OperatorCode.INVALID_COMMAND_CONTENT);
  }
  const line = eligibleLine(state, isdn);
  if ('returnCode' in line) {
    return line;
  }
  const mobileBefore = account.balance;
  if (mobileBefore < amount) {
    return { ...result(OperatorCode.INSUFFICIENT_BALANCE), requiredAmount: amount, currentBalance: mobileBefore };
  }
  const fixedBefore = line.balances.get('COMMON')?.value ?? 0;
  account.balance = money(mobileBefore - amount);
  moveMoney(line, amount, now);
  return {
    ...result(OperatorCode.SUCCESS),
    fixedBalanceBefore: fixedBefore,
    fixedBalanceAfter: money(fixedBefore + amount),
    mobileBalanceBefore: mobileBefore,
    mobileBalanceAfter: account.balance,
  };
}

/** The line if money may move to it (status 0 or 453), else the refusal to answer. */
function eligibleLine(state: OperatorState, isdn: string): FixedLine | OperatorResult {
  const line = state.fixedLines.get(toLocalNumber(isdn));
  if (!line) {
    return result(OperatorCode.NUMBER_NOT_FOUND);
  }
  return line.status === OperatorCode.SUCCESS || line.status === OperatorCode.NO_PACKAGE_AVAILABLE
    ? line
    : result(line.status);
}

/** Money never resets: the COMMON balance moves by `delta` and keeps its expiry (set only when created). */
function moveMoney(line: FixedLine, delta: number, now: number): void {
  const current = line.balances.get('COMMON');
  if (current) {
    current.value = money(current.value + delta);
  } else {
    line.balances.set('COMMON', { value: money(delta), expireAt: now + NEW_BALANCE_VALIDITY_DAYS * DAY });
  }
}

/** Data or voice from a package: added to a live allowance (expiry pushed out), or replaces an expired one. */
function creditAllowance(line: FixedLine, type: BalanceType, amount: number, expireAt: number, now: number): void {
  const current = line.balances.get(type);
  if (!current || current.expireAt <= now) {
    line.balances.set(type, { value: amount, expireAt });
    return;
  }
  current.value += amount;
  current.expireAt = Math.max(current.expireAt, expireAt);
}

function creditPackage(line: FixedLine, chosen: CatalogPackage, now: number): void {
  const expireAt = now + chosen.validityDays * DAY;
  if (!chosen.dataUnlimited && chosen.dataBytes > 0) {
    creditAllowance(line, 'DATA_PREPAID', chosen.dataBytes, expireAt, now);
  }
  if (chosen.voiceSeconds > 0) {
    creditAllowance(line, 'VOICE_LOCAL', chosen.voiceSeconds, expireAt, now);
  }
}
