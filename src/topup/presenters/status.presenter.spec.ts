import { SPEC_STATUS_ELIGIBLE } from '../../../test/support/topup-spec-examples';
import { presentEligibleStatus } from './status.presenter';

const NOW = Date.parse('2024-01-15T10:30:00Z');

describe(presentEligibleStatus.name, () => {
  it("answers the spec's example of section 3", () => {
    expect(presentEligibleStatus('21123456', '0', 'Success', NOW)).toEqual({
      ...SPEC_STATUS_ELIGIBLE,
      fixed_isdn: '21123456',
      details: { fixed_isdn: '21123456', request_time: '2024-01-15T10:30:00.000Z', backend_api: 'TopUp SOAP' },
    });
  });

  it("says 'Success' when the operator gives no description", () => {
    expect(presentEligibleStatus('21123456', '0', undefined, NOW).description).toBe('Success');
  });

  it('echoes the number as asked (international form)', () => {
    const sut = presentEligibleStatus('25321123456', '0', 'Success', NOW);
    expect(sut.fixed_isdn).toBe('25321123456');
    expect(sut.details.fixed_isdn).toBe('25321123456');
  });
});
