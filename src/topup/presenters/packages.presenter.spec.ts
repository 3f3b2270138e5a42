import type { SoapPackage } from '../../operator/soap-types';
import { SPEC_PACKAGE_DATA_500MB, SPEC_PACKAGE_EMPLOYE_2M } from '../../../test/support/topup-spec-examples';
import { presentPackage, presentPackages } from './packages.presenter';

const GO = 1024 ** 3;
const MO = 1024 ** 2;
const NOW = Date.parse('2024-01-15T10:30:00Z');

/** The operator's packages behind the spec's example of section 4. */
const EMPLOYE_2M: SoapPackage = {
  packageCode: 'EMPLOYE_2M',
  description: 'Package Employé 2 mois',
  price: 2000,
  validityDays: 60,
  dataUnlimited: false,
  dataBytes: GO,
  voiceSeconds: 7200,
};
const DATA_500MB: SoapPackage = {
  packageCode: 'DATA_500MB',
  description: 'Pack Data 500 MB',
  price: 500,
  validityDays: 30,
  dataUnlimited: false,
  dataBytes: 500 * MO,
  voiceSeconds: 0,
};


describe(presentPackage.name, () => {
  it.each([
    ['EMPLOYE_2M', EMPLOYE_2M, SPEC_PACKAGE_EMPLOYE_2M],
    ['DATA_500MB', DATA_500MB, SPEC_PACKAGE_DATA_500MB],
  ])("presents %s as the spec's example, affordable with 2 000 DJF", (_code, raw, expected) => {
    expect(presentPackage(raw, 2000)).toEqual(expected);
  });

  it.each([
    [1999, false],
    [2000, true],
    [0, false],
  ])('with %p DJF on the line, EMPLOYE_2M (2 000 DJF) is_affordable %p', (balance, affordable) => {
    expect(presentPackage(EMPLOYE_2M, balance).is_affordable).toBe(affordable);
  });

  it("shows unlimited data as such ('Illimité')", () => {
    const sut = presentPackage({ ...DATA_500MB, packageCode: 'DATA_ILLIMITE_1J', dataUnlimited: true, dataBytes: 0, validityDays: 1 }, 0);
    expect(sut).toMatchObject({ data_unlimited: true, formatted_data: 'Illimité', category: 'data', formatted_validity: '1 jour' });
    expect(sut.features).toContain('Données illimitées');
  });

  it('uses the code when the operator gives no description', () => {
    expect(presentPackage({ ...EMPLOYE_2M, description: undefined }, 0).description).toBe('EMPLOYE_2M');
  });
});

describe(presentPackages.name, () => {
  it("answers the spec's example body: summary, categories, price and validity ranges", () => {
    const sut = presentPackages({ msisdn: '77123456', isdn: '21123456', type: 1 }, [EMPLOYE_2M, DATA_500MB], 3000, NOW);
    expect(sut).toMatchObject({
      success: true,
      message: 'Packages récupérés avec succès',
      msisdn: '77123456',
      isdn: '21123456',
      type: 1,
      packages: [SPEC_PACKAGE_EMPLOYE_2M, SPEC_PACKAGE_DATA_500MB],
      total_packages: 2,
      summary: {
        total_packages: 2,
        categories: { combo: 1, data: 1, voice: 0 },
        price_range: { min: 500, max: 2000, average: 1250, min_formatted: '500 DJF', max_formatted: '2 000 DJF', average_formatted: '1 250 DJF' },
        validity_range: { min_days: 30, max_days: 60, min_formatted: '1 mois', max_formatted: '2 mois' },
      },
      details: { msisdn: '77123456', isdn: '21123456', type: 1, request_time: '2024-01-15T10:30:00.000Z', total_packages: 2, backend_api: 'TopUp SOAP' },
    });
  });

  it('marks each package against the one balance given', () => {
    const sut = presentPackages({ msisdn: '77123456', isdn: '21123456', type: 1 }, [EMPLOYE_2M, DATA_500MB], 1500, NOW);
    expect(sut.packages.map((p) => p.is_affordable)).toEqual([false, true]);
  });

  it('answers no packages with zero ranges', () => {
    expect(presentPackages({ msisdn: '77123456', isdn: '21123456', type: 6 }, [], 0, NOW).summary).toMatchObject({
      total_packages: 0,
      categories: { combo: 0, data: 0, voice: 0 },
      price_range: { min: 0, max: 0, average: 0 },
    });
  });
});
