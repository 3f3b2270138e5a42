/**
 * Shapes of the TopUp SOAP messages (see topup.wsdl), as node-soap hands them over.
 *
 * On the client side node-soap already converts by schema: xsd:decimal/int/long arrive as JS
 * numbers, xsd:boolean as booleans, a repeated element as an array (even with one item), and an
 * absent repeated element (nothing to list) as a missing property, never an empty array.
 */
import type { OperatorCode } from './operator-codes';

export const TOPUP_OPERATIONS = [
  'getBalances',
  'getMyNumbers',
  'getStatusForRecharge',
  'getPackages',
  'executeCommand',
] as const;
export type TopUpOperation = (typeof TOPUP_OPERATIONS)[number];

export const BALANCE_TYPES = [
  'COMMON',
  'DATA_PREPAID',
  'VOICE_LOCAL',
  'VOICE_NATIONAL',
  'VOICE_INTERNATIONAL',
] as const;
export type BalanceType = (typeof BALANCE_TYPES)[number];

/** SOAP header `AuthHeader`, sent with every operation. */
export interface AuthHeader {
  username: string;
  password: string;
}

/**
 * Every response starts with these. `returnCode` is one of {@link OperatorCode}, kept open to
 * other strings because the real system may answer codes the guide does not list.
 */
export interface OperatorResult {
  returnCode: OperatorCode | (string & {});
  description?: string;
}

export interface GetBalancesRequest {
  msisdn: string;
  isdn: string;
}

export interface SoapBalance {
  type: BalanceType;
  /** DJF for COMMON, bytes for DATA_PREPAID, seconds for VOICE_*. */
  value: number;
  /** `YYYY-MM-DD HH:mm:ss`, Djibouti local time (UTC+3). */
  expireDate?: string;
}

export interface GetBalancesResponse extends OperatorResult {
  balance?: SoapBalance[];
}

export interface GetMyNumbersRequest {
  msisdn: string;
}

export interface SoapDirectoryNumber {
  isdn: string;
  /** `YYYY-MM-DD`, Djibouti local date. */
  addedDate?: string;
  /** Status return code of that fixed line: 0, 1, 2, 3, 5 or 453. */
  statusCode?: string;
}

export interface GetMyNumbersResponse extends OperatorResult {
  number?: SoapDirectoryNumber[];
}

export interface GetStatusForRechargeRequest {
  isdn: string;
}

export type GetStatusForRechargeResponse = OperatorResult;

export interface GetPackagesRequest {
  msisdn: string;
  isdn: string;
  /** 1 voice, 2 data, 3 combo, 4 data extra, 5 combo extra, 6 voice extra. */
  type: number;
}

export interface SoapPackage {
  packageCode: string;
  description?: string;
  /** DJF. */
  price: number;
  validityDays: number;
  dataUnlimited: boolean;
  dataBytes: number;
  voiceSeconds: number;
}

export interface GetPackagesResponse extends OperatorResult {
  package?: SoapPackage[];
}

/**
 * `commandContent` per action type: 1 the new PIN (and `pincode` the old one), 2 and 3 the fixed
 * number, 4 `isdn#PACKAGE_CODE`, 5 `isdn#amount`.
 */
export interface ExecuteCommandRequest {
  msisdn: string;
  actionType: number;
  commandContent: string;
  pincode: string;
  transactionId: string;
}

export interface ExecuteCommandResponse extends OperatorResult {
  transactionId?: string;
  /** Package (4) and recharge (5): the fixed line's COMMON balance, in DJF. */
  fixedBalanceBefore?: number;
  fixedBalanceAfter?: number;
  /** Recharge (5): the mobile's balance, in DJF. */
  mobileBalanceBefore?: number;
  mobileBalanceAfter?: number;
  /** With return code 400. */
  requiredAmount?: number;
  currentBalance?: number;
  /** Directory add/remove (2, 3): size of the directory after the command. */
  directorySize?: number;
}

/** Request and response of each operation, for code generic over operations. */
export interface TopUpOperations {
  getBalances: { request: GetBalancesRequest; response: GetBalancesResponse };
  getMyNumbers: { request: GetMyNumbersRequest; response: GetMyNumbersResponse };
  getStatusForRecharge: { request: GetStatusForRechargeRequest; response: GetStatusForRechargeResponse };
  getPackages: { request: GetPackagesRequest; response: GetPackagesResponse };
  executeCommand: { request: ExecuteCommandRequest; response: ExecuteCommandResponse };
}
