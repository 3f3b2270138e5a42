import { OperatorCode } from '../../operator/operator-codes';

/** The spec's `status` object of a fixed line, from its status return code. */
export interface LineStatus {
  eligible: boolean;
  status_text: string;
  status_code: string;
  can_recharge: boolean;
  can_get_packages: boolean;
  reason: string;
}

const LINE_STATUSES: Record<string, LineStatus & { short_text: string }> = {
  [OperatorCode.SUCCESS]: {
    eligible: true,
    status_text: 'Éligible pour recharge',
    short_text: 'Actif',
    status_code: 'ELIGIBLE',
    can_recharge: true,
    can_get_packages: true,
    reason: 'Le numéro est actif et peut être rechargé',
  },
  [OperatorCode.NUMBER_NOT_FOUND]: {
    eligible: false,
    status_text: 'Numéro inexistant',
    short_text: 'Inexistant',
    status_code: 'NUMBER_NOT_FOUND',
    can_recharge: false,
    can_get_packages: false,
    reason: "Le numéro n'existe pas dans le système",
  },
  [OperatorCode.NUMBER_BLOCKED]: {
    eligible: false,
    status_text: 'Numéro suspendu',
    short_text: 'Suspendu',
    status_code: 'NUMBER_BLOCKED',
    can_recharge: false,
    can_get_packages: false,
    reason: "Le numéro a été suspendu par l'opérateur",
  },
  [OperatorCode.POSTPAID_NOT_ELIGIBLE]: {
    eligible: false,
    status_text: 'Postpaid - Non éligible',
    short_text: 'Postpaid',
    status_code: 'POSTPAID_NOT_ELIGIBLE',
    can_recharge: false,
    can_get_packages: false,
    reason: 'Les comptes postpaid ne sont pas supportés',
  },
  [OperatorCode.NUMBER_EXPIRED]: {
    eligible: false,
    status_text: 'Numéro expiré',
    short_text: 'Expiré',
    status_code: 'NUMBER_EXPIRED',
    can_recharge: false,
    can_get_packages: false,
    reason: 'Le numéro a expiré',
  },
  [OperatorCode.NO_PACKAGE_AVAILABLE]: {
    eligible: true,
    status_text: 'Éligible, aucun package disponible',
    short_text: 'Actif (sans package)',
    status_code: 'NO_PACKAGE_AVAILABLE',
    can_recharge: true,
    can_get_packages: false,
    reason: "Le numéro peut être rechargé mais aucun package n'est disponible",
  },
};

const UNKNOWN: LineStatus & { short_text: string } = {
  eligible: false,
  status_text: 'Statut inconnu',
  short_text: 'Inconnu',
  status_code: 'UNKNOWN',
  can_recharge: false,
  can_get_packages: false,
  reason: "L'opérateur a renvoyé un statut inconnu",
};

export function lineStatus(code: string | undefined): LineStatus & { short_text: string } {
  return LINE_STATUSES[code ?? ''] ?? UNKNOWN;
}

/** Without the directory's short wording. */
export function publicLineStatus(code: string | undefined): LineStatus {
  const { short_text: _short, ...status } = lineStatus(code);
  return status;
}
