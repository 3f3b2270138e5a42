import { OperatorCode, type LineStatusCode } from '../../operator/operator-codes';
import type { BalanceType, SoapPackage } from '../../operator/soap-types';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const GO = 1024 ** 3;
const MO = 1024 ** 2;

export interface DirectoryEntry {
  isdn: string;
  /** `YYYY-MM-DD`, Djibouti date. */
  addedDate: string;
}

export interface MobileAccount {
  msisdn: string;
  pin: string;
  /** DJF. */
  balance: number;
  directory: DirectoryEntry[];
}

export interface LineBalance {
  value: number;
  expireAt: number;
}

export interface FixedLine {
  isdn: string;
  status: LineStatusCode;
  balances: Map<BalanceType, LineBalance>;
}

export interface CatalogPackage extends SoapPackage {
  /** The getPackages `type` values that list it. */
  types: readonly number[];
}

/** Everything the fake operator knows; keyed by local numbers (`77123456`, `21123456`). */
export interface OperatorState {
  mobiles: Map<string, MobileAccount>;
  fixedLines: Map<string, FixedLine>;
  catalog: readonly CatalogPackage[];
}

/**
 * Type 1 lists exactly EMPLOYE_2M and DATA_500MB, like the guide's getPackages example (type 1),
 * so that documented request gives the documented answer, summary included. The other types
 * hold packages matching their names, one or more each.
 */
export const PACKAGE_CATALOG: readonly CatalogPackage[] = [
  pkg('EMPLOYE_2M', 'Package Employé 2 mois', 2000, 60, { dataBytes: GO, voiceSeconds: 7200 }, [1, 3]),
  pkg('DATA_500MB', 'Pack Data 500 MB', 500, 30, { dataBytes: 500 * MO }, [1, 2]),
  pkg('DATA_ILLIMITE_1J', 'Pack Data illimité 24h', 300, 1, { dataUnlimited: true }, [2]),
  pkg('ETUDIANT_5M_MOIS', 'Pack Étudiant mensuel', 1000, 30, { dataBytes: 5 * GO, voiceSeconds: 3600 }, [3]),
  pkg('NEW_GIGASUP_50Go', 'Pack Giga Sup 50 Go', 5000, 30, { dataBytes: 50 * GO }, [4]),
  pkg('Data_Package_5GB', 'Data supplémentaire 5 GB', 1500, 30, { dataBytes: 5 * GO }, [4]),
  pkg('COMBO_SUP_1GO', 'Combo supplémentaire 1 Go + 30 min', 800, 7, { dataBytes: GO, voiceSeconds: 1800 }, [5]),
  pkg('VOIX_SUP_30MIN', 'Voix supplémentaire 30 minutes', 150, 7, { voiceSeconds: 1800 }, [6]),
  pkg('VOIX_60MIN', 'Pack Voix 60 minutes', 300, 15, { voiceSeconds: 3600 }, [6]),
];

/** Fresh fixtures; expiries are relative to `now` so the apps always see the same statuses. */
export function createFixtureState(now: number): OperatorState {
  const mobiles: MobileAccount[] = [
    {
      msisdn: '77123456',
      pin: '1234',
      balance: 5000,
      directory: [
        { isdn: '21123456', addedDate: '2025-01-15' },
        { isdn: '21987654', addedDate: '2025-01-10' },
      ],
    },
    { msisdn: '77654321', pin: '0000', balance: 300, directory: [] },
  ];
  const fixedLines: FixedLine[] = [
    line('21123456', OperatorCode.SUCCESS, {
      COMMON: { value: 1500, expireAt: now + 25 * DAY },
      DATA_PREPAID: { value: GO, expireAt: now + 3 * DAY },
      VOICE_LOCAL: { value: 7200, expireAt: now + 8 * HOUR },
    }),
    // The guide's package workflow (status -> packages -> balances -> subscribe EMPLOYE_2M) runs as
    // written on 77123456 and this line: 3 000 DJF pays for EMPLOYE_2M (2 000), the figures of the
    // guide's subscription example. 21123456 keeps the balances example's 1 500 DJF, too little.
    line('21234567', OperatorCode.SUCCESS, { COMMON: { value: 3000, expireAt: now + 25 * DAY } }),
    line('21987654', OperatorCode.NUMBER_BLOCKED, { COMMON: { value: 800, expireAt: now + 10 * DAY } }),
    line('21000003', OperatorCode.POSTPAID_NOT_ELIGIBLE, { COMMON: { value: 0, expireAt: now + 30 * DAY } }),
    line('21000005', OperatorCode.NUMBER_EXPIRED, { COMMON: { value: 200, expireAt: now - 2 * DAY } }),
    line('21000453', OperatorCode.NO_PACKAGE_AVAILABLE, { COMMON: { value: 250, expireAt: now + 30 * DAY } }),
  ];
  return {
    mobiles: new Map(mobiles.map((m) => [m.msisdn, m])),
    fixedLines: new Map(fixedLines.map((l) => [l.isdn, l])),
    catalog: PACKAGE_CATALOG,
  };
}

function line(isdn: string, status: LineStatusCode, balances: Partial<Record<BalanceType, LineBalance>>): FixedLine {
  return { isdn, status, balances: new Map(Object.entries(balances) as [BalanceType, LineBalance][]) };
}

function pkg(
  packageCode: string,
  description: string,
  price: number,
  validityDays: number,
  content: Partial<Pick<SoapPackage, 'dataUnlimited' | 'dataBytes' | 'voiceSeconds'>>,
  types: number[],
): CatalogPackage {
  return {
    packageCode,
    description,
    price,
    validityDays,
    dataUnlimited: content.dataUnlimited ?? false,
    dataBytes: content.dataBytes ?? 0,
    voiceSeconds: content.voiceSeconds ?? 0,
    types,
  };
}
