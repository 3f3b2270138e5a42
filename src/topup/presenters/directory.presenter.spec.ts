import { presentDirectory } from './directory.presenter';

const NOW = Date.parse('2025-01-15T10:30:00Z');
const CHECKED = '2025-01-15T10:30:00.000Z';

/** The operator's numbers behind the spec's example of section 2 (21987654 suspended: code 2). */
const SPEC_RAW = [
  { isdn: '21123456', addedDate: '2025-01-15', statusCode: '0' },
  { isdn: '21987654', addedDate: '2025-01-10', statusCode: '2' },
];

describe(presentDirectory.name, () => {
  it("answers the spec's example", () => {
    expect(presentDirectory('77123456', SPEC_RAW, NOW)).toMatchObject({
      success: true,
      message: 'Répertoire récupéré avec succès',
      msisdn: '77123456',
      numbers: [
        {
          isdn: '21123456',
          formatted_number: '21 12 34 56',
          number_type: 'fixe',
          can_recharge: true,
          added_date: '2025-01-15',
          status: { eligible: true, status_text: 'Actif', last_check: CHECKED },
        },
        {
          isdn: '21987654',
          formatted_number: '21 98 76 54',
          number_type: 'fixe',
          can_recharge: false,
          added_date: '2025-01-10',
          status: { eligible: false, status_text: 'Suspendu', last_check: CHECKED },
        },
      ],
      total_numbers: 2,
      summary: { total_numbers: 2, mobile_numbers: 0, fixed_numbers: 2, rechargeable_numbers: 1, blocked_numbers: 1, unknown_numbers: 0 },
      details: { msisdn: '77123456', request_time: CHECKED, total_numbers: 2, backend_api: 'TopUp SOAP' },
    });
  });

  it('counts a mobile number, an unknown line and a line with an unlisted status', () => {
    const sut = presentDirectory(
      '77123456',
      [
        { isdn: '77654321', statusCode: '0' },
        { isdn: '21000001', statusCode: '1' },
        { isdn: '21000009', statusCode: '77' },
      ],
      NOW,
    );
    expect(sut.numbers.map((n) => n.number_type)).toEqual(['mobile', 'fixe', 'fixe']);
    expect(sut.summary).toEqual({ total_numbers: 3, mobile_numbers: 1, fixed_numbers: 2, rechargeable_numbers: 1, blocked_numbers: 0, unknown_numbers: 2 });
  });

  it.each([
    ['0', true, true],
    ['453', true, true],
    ['2', false, false],
    ['3', false, false],
    ['5', false, false],
  ])('status code %p: can_recharge %p, eligible %p', (statusCode, canRecharge, eligible) => {
    const [entry] = presentDirectory('77123456', [{ isdn: '21123456', statusCode }], NOW).numbers;
    expect(entry.can_recharge).toBe(canRecharge);
    expect(entry.status.eligible).toBe(eligible);
  });

  it('shows a missing added date as null', () => {
    expect(presentDirectory('77123456', [{ isdn: '21123456', statusCode: '0' }], NOW).numbers[0].added_date).toBeNull();
  });

  it('answers an empty directory with zero counts', () => {
    expect(presentDirectory('77654321', [], NOW)).toMatchObject({ numbers: [], total_numbers: 0, summary: { total_numbers: 0, fixed_numbers: 0 } });
  });
});
