/** Per-operation timeouts of the spec's "Gestion des Timeouts". */
export const SOAP_TIMEOUTS_MS = {
  getStatusForRecharge: 10_000,
  getBalances: 15_000,
  getMyNumbers: 15_000,
  getPackages: 20_000,
  executeCommand: 45_000,
} as const;
