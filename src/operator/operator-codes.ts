/**
 * Return codes of the operator's TopUp SOAP system.
 *
 * The integration guide only documents the status codes (0, 1, 2, 3, 5, 453) and the REST
 * outcomes built on them. The command codes (400, 401, 404, 409, 410, 421, 422) are the
 * simulator's assumptions about the real system, chosen to mirror the HTTP statuses the guide
 * shows; check them against the operator before production and change them here only.
 */
export const OperatorCode = {
  SUCCESS: '0',
  NUMBER_NOT_FOUND: '1',
  NUMBER_BLOCKED: '2',
  POSTPAID_NOT_ELIGIBLE: '3',
  NUMBER_EXPIRED: '5',
  NO_PACKAGE_AVAILABLE: '453',
  /** Comes with `requiredAmount` and `currentBalance`. */
  INSUFFICIENT_BALANCE: '400',
  WRONG_PIN: '401',
  PACKAGE_NOT_FOUND: '404',
  ALREADY_IN_DIRECTORY: '409',
  NOT_IN_DIRECTORY: '410',
  /** Not in the guide at all: a command whose content cannot be parsed (`isdn#amount`, new PIN...). */
  INVALID_COMMAND_CONTENT: '421',
  UNKNOWN_ACTION_TYPE: '422',
} as const;

export type OperatorCode = (typeof OperatorCode)[keyof typeof OperatorCode];

/** Operator-side wording (English, as the guide's `"description": "Success"`), not for end users. */
export const OPERATOR_CODE_DESCRIPTIONS: Readonly<Record<OperatorCode, string>> = {
  '0': 'Success',
  '1': 'Number does not exist',
  '2': 'Number is blocked or suspended',
  '3': 'Postpaid number is not eligible',
  '5': 'Number is expired',
  '453': 'No package available',
  '400': 'Insufficient balance',
  '401': 'Wrong PIN code',
  '404': 'Unknown package code',
  '409': 'Number already in directory',
  '410': 'Number not in directory',
  '421': 'Invalid command content',
  '422': 'Unknown action type',
};

/** Status codes a fixed line can have, as returned by getStatusForRecharge and getMyNumbers. */
export const LINE_STATUS_CODES = ['0', '1', '2', '3', '5', '453'] as const;
export type LineStatusCode = (typeof LINE_STATUS_CODES)[number];

/** `actionType` of executeCommand (2.1.0 renumbered package 44 -> 4 and recharge 55 -> 5). */
export const ActionType = {
  PIN_CHANGE: 1,
  DIRECTORY_ADD: 2,
  DIRECTORY_REMOVE: 3,
  PACKAGE_SUBSCRIPTION: 4,
  RECHARGE: 5,
} as const;

export type ActionType = (typeof ActionType)[keyof typeof ActionType];

/** `type` of getPackages. */
export const PackageType = {
  VOICE: 1,
  DATA: 2,
  COMBO: 3,
  DATA_EXTRA: 4,
  COMBO_EXTRA: 5,
  VOICE_EXTRA: 6,
} as const;

export type PackageType = (typeof PackageType)[keyof typeof PackageType];
