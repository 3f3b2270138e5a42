import { SPEC_STATUS_ELIGIBLE } from '../../../test/support/topup-spec-examples';
import { presentLineStatus } from './status.presenter';

const NOW = Date.parse('2024-01-15T10:30:00Z');

describe(presentLineStatus.name, () => {
  it("answers the spec's example of section 3", () => {
    expect(presentLineStatus('21123456', '0', 'Success', NOW)).toEqual({
      ...SPEC_STATUS_ELIGIBLE,
      fixed_isdn: '21123456',
      details: { fixed_isdn: '21123456', request_time: '2024-01-15T10:30:00.000Z', backend_api: 'TopUp SOAP' },
    });
  });

  it("says 'Success' when the operator gives no description", () => {
    expect(presentLineStatus('21123456', '0', undefined, NOW).description).toBe('Success');
  });

  it('echoes the number as asked (international form)', () => {
    const sut = presentLineStatus('25321123456', '0', 'Success', NOW);
    expect(sut.fixed_isdn).toBe('25321123456');
    expect(sut.details.fixed_isdn).toBe('25321123456');
  });

  it('answers a line with no package (453) as eligible, rechargeable, without packages', () => {
    const sut = presentLineStatus('21000453', '453', undefined, NOW);
    expect(sut).toMatchObject({
      success: true,
      return_code: '453',
      description: 'No package available',
      status: { eligible: true, status_code: 'NO_PACKAGE_AVAILABLE', can_recharge: true, can_get_packages: false, reason: expect.stringMatching(/aucun package/) },
    });
  });
});
