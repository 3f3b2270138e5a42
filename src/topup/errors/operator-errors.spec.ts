import { OperatorCode } from '../../operator/operator-codes';
import { operatorError } from './operator-errors';
import { TopUpError } from './topup-error';

const NOW = new Date('2024-01-15T10:30:00Z');
const CONTEXT = { msisdn: '77123456', isdn: '21123456', now: NOW };

describe(operatorError.name, () => {
  describe('every operator code as the spec maps it (status, erreur, returnCode)', () => {
    it.each([
      [OperatorCode.NUMBER_NOT_FOUND, 404, 'Numéro fixe inexistant', 'NUMBER_NOT_FOUND'],
      [OperatorCode.NUMBER_BLOCKED, 403, 'Opération non autorisée', 'NUMBER_BLOCKED'],
      [OperatorCode.POSTPAID_NOT_ELIGIBLE, 422, 'Numéro postpaid non éligible', 'POSTPAID_NOT_ELIGIBLE'],
      [OperatorCode.NUMBER_EXPIRED, 410, 'Numéro expiré', 'NUMBER_EXPIRED'],
      [OperatorCode.NO_PACKAGE_AVAILABLE, 404, 'Aucun package disponible', 'NO_PACKAGE_AVAILABLE'],
      [OperatorCode.WRONG_PIN, 401, 'Code PIN incorrect', 'WRONG_PIN'],
      [OperatorCode.INSUFFICIENT_BALANCE, 400, 'Solde insuffisant', 'INSUFFICIENT_BALANCE'],
      [OperatorCode.PACKAGE_NOT_FOUND, 404, 'Package inexistant', 'PACKAGE_NOT_FOUND'],
      [OperatorCode.ALREADY_IN_DIRECTORY, 409, 'Numéro déjà présent', 'ALREADY_IN_DIRECTORY'],
      [OperatorCode.NOT_IN_DIRECTORY, 404, 'Numéro absent du répertoire', 'NOT_IN_DIRECTORY'],
      [OperatorCode.INVALID_COMMAND_CONTENT, 400, 'Requête invalide', 'INVALID_COMMAND'],
      [OperatorCode.UNKNOWN_ACTION_TYPE, 400, 'Requête invalide', 'INVALID_COMMAND'],
      ['999', 500, 'Erreur serveur interne', 'UNEXPECTED_RETURN_CODE'],
    ])('code %p -> HTTP %p "%s"', (code, status, erreur, errorType) => {
      const sut = operatorError(code, CONTEXT);
      expect(sut).toBeInstanceOf(TopUpError);
      expect(sut.httpStatus).toBe(status);
      expect(sut.body).toMatchObject({
        erreur,
        message: expect.stringMatching(/\S/),
        returnCode: code,
        details: { mobile_msisdn: '77123456', fixed_isdn: '21123456', error_source: 'SOAP_SERVICE', timestamp: '2024-01-15T10:30:00.000Z', error_type: errorType },
      });
    });
  });

  it("words an unknown fixed line as the spec's example", () => {
    expect(operatorError('1', CONTEXT).body).toMatchObject({
      erreur: 'Numéro fixe inexistant',
      message: "Le numéro 21123456 n'existe pas dans le système",
      returnCode: '1',
      details: { mobile_msisdn: '77123456', fixed_isdn: '21123456', error_type: 'NUMBER_NOT_FOUND' },
    });
  });

  describe('code 1 naming which number is unknown (issue 15, point 10)', () => {
    it('the mobile: MOBILE_NOT_FOUND, no status object about the line', () => {
      const sut = operatorError('1', { msisdn: '77999999', isdn: '21123456', unknown: 'mobile', now: NOW });
      expect(sut.httpStatus).toBe(404);
      expect(sut.body).toMatchObject({
        erreur: 'Numéro mobile inexistant',
        message: "Le numéro 77999999 n'existe pas dans le système",
        details: { mobile_msisdn: '77999999', fixed_isdn: '21123456', error_type: 'MOBILE_NOT_FOUND' },
      });
      expect(sut.body).not.toHaveProperty('status');
    });

    it("the fixed line: the spec's example", () => {
      expect(operatorError('1', { ...CONTEXT, unknown: 'fixed' }).body).toEqual(operatorError('1', CONTEXT).body);
    });

    it('both: MOBILE_AND_FIXED_NOT_FOUND, naming both', () => {
      const sut = operatorError('1', { msisdn: '77999999', isdn: '21000001', unknown: 'both', now: NOW });
      expect(sut.body).toMatchObject({ erreur: 'Numéros inexistants', details: { error_type: 'MOBILE_AND_FIXED_NOT_FOUND' } });
      expect(sut.body.message).toContain('77999999');
      expect(sut.body.message).toContain('21000001');
    });

    it('unresolved: MOBILE_OR_FIXED_NOT_FOUND, naming both, no status object', () => {
      const sut = operatorError('1', { msisdn: '77999999', isdn: '21123456', unknown: 'unresolved', now: NOW });
      expect(sut.body).toMatchObject({ erreur: 'Numéro inexistant', details: { error_type: 'MOBILE_OR_FIXED_NOT_FOUND' } });
      expect(sut.body.message).toBe("Le numéro mobile 77999999 ou le numéro fixe 21123456 n'existe pas dans le système");
      expect(sut.body).not.toHaveProperty('status');
    });
  });

  it('words an unknown number without a fixed line after the mobile', () => {
    const sut = operatorError('1', { msisdn: '77000000', now: NOW });
    expect(sut.httpStatus).toBe(404);
    expect(sut.body.message).toContain('77000000');
    expect(sut.body).not.toHaveProperty('status');
  });

  it("adds the spec's status object to line refusals (2: Erreurs Métier, 3: postpaid example)", () => {
    expect(operatorError('2', CONTEXT).body).toMatchObject({
      message: 'Le numéro fixe est suspendu et ne peut pas être rechargé',
      status: { eligible: false, status_text: 'Numéro suspendu', status_code: 'NUMBER_BLOCKED', can_recharge: false, reason: "Le numéro a été suspendu par l'opérateur" },
    });
    expect(operatorError('3', CONTEXT).body).toMatchObject({
      message: 'Les numéros postpaid ne peuvent pas être rechargés via cette API',
      status: {
        eligible: false,
        status_text: 'Postpaid - Non éligible',
        status_code: 'POSTPAID_NOT_ELIGIBLE',
        can_recharge: false,
        can_get_packages: false,
        reason: 'Les comptes postpaid ne sont pas supportés',
      },
    });
  });

  it.each(['1', '2', '3', '5', '453'])('gives code %p a status object and no other code one', (code) => {
    expect(operatorError(code, CONTEXT).body.status).toMatchObject({ status_code: expect.stringMatching(/\S/) });
  });

  it.each(['400', '401', '404', '409', '410', '421', '422', '999'])('gives code %p no status object', (code) => {
    expect(operatorError(code, CONTEXT).body).not.toHaveProperty('status');
  });

  it('echoes the transaction_id when there is one, and only then', () => {
    expect(operatorError('401', { ...CONTEXT, transactionId: 'dtapp1642345678123456' }).body.transaction_id).toBe('dtapp1642345678123456');
    expect(operatorError('401', CONTEXT).body).not.toHaveProperty('transaction_id');
  });

  describe('insufficient balance', () => {
    it("for a package: the spec's package_info (EMPLOYE_2M, 2 000 required, 500 there, 1 500 missing)", () => {
      const sut = operatorError('400', {
        ...CONTEXT,
        transactionId: 'dtapp1642345678123456',
        packageCode: 'EMPLOYE_2M',
        shortfall: { requiredAmount: 2000, currentBalance: 500, of: 'package' },
      });
      expect(sut.httpStatus).toBe(400);
      expect(sut.body).toMatchObject({
        erreur: 'Solde insuffisant',
        message: 'Votre solde est insuffisant pour souscrire à ce package',
        returnCode: '400',
        transaction_id: 'dtapp1642345678123456',
        package_info: { package_code: 'EMPLOYE_2M', required_amount: 2000, current_balance: 500, missing_amount: 1500 },
      });
    });

    it("for a recharge: the mobile's amounts, not a package_info", () => {
      const sut = operatorError('400', { ...CONTEXT, shortfall: { requiredAmount: 1000, currentBalance: 300, of: 'recharge' } });
      expect(sut.body).toMatchObject({ balance_info: { required_amount: 1000, current_balance: 300, missing_amount: 700 } });
      expect(sut.body).not.toHaveProperty('package_info');
      expect(sut.body.message).toMatch(/mobile/);
    });

    it('without amounts from the operator, still names the package', () => {
      expect(operatorError('400', { ...CONTEXT, packageCode: 'EMPLOYE_2M' }).body.package_info).toEqual({ package_code: 'EMPLOYE_2M' });
    });
  });

  it('names the unknown package', () => {
    expect(operatorError('404', { ...CONTEXT, packageCode: 'NO_SUCH_PACK' }).body.message).toBe("Le package NO_SUCH_PACK n'existe pas");
  });
});
