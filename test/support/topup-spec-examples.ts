/**
 * The example answers of spec 004, written once: the presenters' unit specs and the TopUp
 * end-to-end specs check the same contract against them. Fields that depend on the request or the
 * clock (numbers, ids, times) are left to each spec.
 */

/** Section 3: an eligible fixed line. */
export const SPEC_STATUS_ELIGIBLE = {
  success: true,
  message: 'Statut de recharge vérifié avec succès',
  return_code: '0',
  description: 'Success',
  status: {
    eligible: true,
    status_text: 'Éligible pour recharge',
    status_code: 'ELIGIBLE',
    can_recharge: true,
    can_get_packages: true,
    reason: 'Le numéro est actif et peut être rechargé',
  },
};

/** Section 2: the summary of the example balances (1 500 DJF, 1 Go, 7 200 s). */
export const SPEC_BALANCES_SUMMARY = {
  total_balances: 3,
  money_total: 1500,
  money_total_formatted: '1 500 DJF',
  data_total_bytes: 1073741824,
  data_total_formatted: '1 Go',
  voice_total_seconds: 7200,
  voice_total_formatted: '02:00:00',
};

/**
 * Section 4's packages, affordable, and with data_quantity_gb in GB as the 2.1.0 changelog says
 * (the examples print MB: 1 Go -> 1).
 */
export const SPEC_PACKAGE_EMPLOYE_2M = {
  package_code: 'EMPLOYE_2M',
  description: 'Package Employé 2 mois',
  price: 2000,
  formatted_price: '2 000 DJF',
  validity_days: 60,
  formatted_validity: '2 mois',
  data_unlimited: false,
  data_quantity_gb: 1,
  data_quantity_bytes: 1073741824,
  voice_quantity_minutes: 120,
  voice_quantity_seconds: 7200,
  formatted_data: '1 Go',
  formatted_voice: '02:00:00',
  category: 'combo',
  is_affordable: true,
  features: ['1 Go de données', "120 minutes d'appels", 'Validité 2 mois'],
};

export const SPEC_PACKAGE_DATA_500MB = {
  package_code: 'DATA_500MB',
  description: 'Pack Data 500 MB',
  price: 500,
  formatted_price: '500 DJF',
  validity_days: 30,
  formatted_validity: '1 mois',
  data_unlimited: false,
  data_quantity_gb: 0.49,
  data_quantity_bytes: 524288000,
  voice_quantity_minutes: 0,
  voice_quantity_seconds: 0,
  formatted_data: '500 Mo',
  formatted_voice: '0 sec',
  category: 'data',
  is_affordable: true,
  features: ['500 Mo de données', 'Validité 1 mois'],
};

/** Section 5: EMPLOYE_2M subscribed on 21123456 with 3 000 DJF on the line, 1 000 after. */
export function specSubscription(transactionId: string, executionTime: string) {
  return {
    success: true,
    message: 'Package souscrit avec succès',
    transaction_id: transactionId,
    command_executed: true,
    package_info: { package_code: 'EMPLOYE_2M', description: 'Package Employé 2 mois', price: 2000, formatted_price: '2 000 DJF' },
    account_impact: { balance_before: 3000, amount_deducted: 2000, balance_after: 1000, formatted_balance_after: '1 000 DJF' },
    details: {
      msisdn: '77123456',
      isdn: '21123456',
      package_code: 'EMPLOYE_2M',
      command_content: '21123456#EMPLOYE_2M',
      action_type: 4,
      execution_time: executionTime,
      backend_api: 'TopUp SOAP',
    },
  };
}
