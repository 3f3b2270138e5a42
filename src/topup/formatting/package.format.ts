import type { SoapPackage } from '../../operator/soap-types';
import { formatDataBytes } from './data.format';
import { formatDecimal } from './number.format';
import { formatValidity } from './validity.format';
import { secondsToMinutes } from './voice.format';

/** `other` is for a package with neither data nor voice, which the guide does not foresee. */
export type PackageCategory = 'combo' | 'data' | 'voice' | 'other';

type PackageContent = Pick<SoapPackage, 'dataUnlimited' | 'dataBytes' | 'voiceSeconds'>;

function hasData(content: PackageContent): boolean {
  return content.dataUnlimited || content.dataBytes > 0;
}

/** Data and voice -> `combo`, data only -> `data`, voice only -> `voice`. */
export function packageCategory(content: PackageContent): PackageCategory {
  const data = hasData(content);
  const voice = content.voiceSeconds > 0;
  if (data && voice) {
    return 'combo';
  }
  if (data) {
    return 'data';
  }
  return voice ? 'voice' : 'other';
}

/** `['1 Go de données', "120 minutes d'appels", 'Validité 2 mois']`, in that order. */
export function packageFeatures(pkg: PackageContent & Pick<SoapPackage, 'validityDays'>): string[] {
  const features: string[] = [];
  if (pkg.dataUnlimited) {
    features.push('Données illimitées');
  } else if (pkg.dataBytes > 0) {
    features.push(`${formatDataBytes(pkg.dataBytes)} de données`);
  }
  if (pkg.voiceSeconds > 0) {
    const minutes = secondsToMinutes(pkg.voiceSeconds);
    features.push(`${formatDecimal(minutes)} ${minutes < 2 ? 'minute' : 'minutes'} d'appels`);
  }
  if (pkg.validityDays > 0) {
    features.push(`Validité ${formatValidity(pkg.validityDays)}`);
  }
  return features;
}
