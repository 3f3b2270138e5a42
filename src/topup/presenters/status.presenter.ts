import { publicLineStatus } from '../errors/line-status';

/** `GET|POST /api/topup/status` answer for an eligible line, as in the spec. */
export function presentEligibleStatus(isdn: string, returnCode: string, description: string | undefined, now: number) {
  return {
    success: true,
    message: 'Statut de recharge vérifié avec succès',
    fixed_isdn: isdn,
    return_code: returnCode,
    description: description ?? 'Success',
    status: publicLineStatus(returnCode),
    details: { fixed_isdn: isdn, request_time: new Date(now).toISOString(), backend_api: 'TopUp SOAP' },
  };
}
