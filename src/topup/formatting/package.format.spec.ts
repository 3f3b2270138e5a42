import { packageCategory, packageFeatures } from './package.format';

const EMPLOYE_2M = { dataUnlimited: false, dataBytes: 1073741824, voiceSeconds: 7200, validityDays: 60 };
const DATA_500MB = { dataUnlimited: false, dataBytes: 524288000, voiceSeconds: 0, validityDays: 30 };
const VOICE_ONLY = { dataUnlimited: false, dataBytes: 0, voiceSeconds: 3600, validityDays: 7 };
const UNLIMITED = { dataUnlimited: true, dataBytes: 0, voiceSeconds: 0, validityDays: 1 };

describe(packageCategory.name, () => {
  it('classifies by content', () => {
    expect(packageCategory(EMPLOYE_2M)).toBe('combo');
    expect(packageCategory(DATA_500MB)).toBe('data');
    expect(packageCategory(VOICE_ONLY)).toBe('voice');
    expect(packageCategory(UNLIMITED)).toBe('data');
    expect(packageCategory({ ...UNLIMITED, voiceSeconds: 60 })).toBe('combo');
  });

  it('calls a package with neither data nor voice other', () => {
    expect(packageCategory({ dataUnlimited: false, dataBytes: 0, voiceSeconds: 0 })).toBe('other');
  });
});

describe(packageFeatures.name, () => {
  it("lists the guide's EMPLOYE_2M features", () => {
    expect(packageFeatures(EMPLOYE_2M)).toEqual(['1 Go de données', "120 minutes d'appels", 'Validité 2 mois']);
  });

  it("lists the guide's DATA_500MB features", () => {
    expect(packageFeatures(DATA_500MB)).toEqual(['500 Mo de données', 'Validité 1 mois']);
  });

  it('says unlimited data instead of a volume', () => {
    const features = packageFeatures({ ...UNLIMITED, dataBytes: 1073741824 });
    expect(features).toEqual(['Données illimitées', 'Validité 1 jour']);
  });

  it('handles a voice-only package and odd minute counts', () => {
    expect(packageFeatures(VOICE_ONLY)).toEqual(["60 minutes d'appels", 'Validité 7 jours']);
    expect(packageFeatures({ ...VOICE_ONLY, voiceSeconds: 60 })).toEqual(["1 minute d'appels", 'Validité 7 jours']);
    expect(packageFeatures({ ...VOICE_ONLY, voiceSeconds: 90 })).toEqual(["1,5 minute d'appels", 'Validité 7 jours']);
  });

  it('leaves out a missing validity', () => {
    expect(packageFeatures({ ...DATA_500MB, validityDays: 0 })).toEqual(['500 Mo de données']);
  });
});
