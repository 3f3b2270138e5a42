import { bytesToGigabytes, formatDataBytes } from '../formatting/data.format';
import { formatMoney } from '../formatting/money.format';
import { packageCategory, packageFeatures } from '../formatting/package.format';
import { formatValidity } from '../formatting/validity.format';
import { formatVoiceSeconds, secondsToMinutes } from '../formatting/voice.format';
import type { SoapPackage } from '../../operator/soap-types';

/** One package as the apps see it; `is_affordable` compares its price with the fixed line's main balance. */
export function presentPackage(pkg: SoapPackage, mainBalance: number) {
  return {
    package_code: pkg.packageCode,
    description: pkg.description ?? pkg.packageCode,
    price: pkg.price,
    formatted_price: formatMoney(pkg.price),
    validity_days: pkg.validityDays,
    formatted_validity: formatValidity(pkg.validityDays),
    data_unlimited: pkg.dataUnlimited,
    data_quantity_gb: bytesToGigabytes(pkg.dataBytes),
    data_quantity_bytes: pkg.dataBytes,
    voice_quantity_minutes: secondsToMinutes(pkg.voiceSeconds),
    voice_quantity_seconds: pkg.voiceSeconds,
    formatted_data: pkg.dataUnlimited ? 'Illimité' : formatDataBytes(pkg.dataBytes),
    formatted_voice: formatVoiceSeconds(pkg.voiceSeconds),
    category: packageCategory(pkg),
    is_affordable: pkg.price <= mainBalance,
    features: packageFeatures(pkg),
  };
}

const range = (values: number[]) => ({
  min: values.length ? Math.min(...values) : 0,
  max: values.length ? Math.max(...values) : 0,
  average: values.length ? Math.round((values.reduce((a, b) => a + b, 0) / values.length) * 100) / 100 : 0,
});

/** `POST /api/topup/packages` answer, as in the spec. */
export function presentPackages(
  request: { msisdn: string; isdn: string; type: number },
  raw: readonly SoapPackage[],
  mainBalance: number,
  now: number,
) {
  const packages = raw.map((pkg) => presentPackage(pkg, mainBalance));
  const categories: Record<string, number> = { combo: 0, data: 0, voice: 0 };
  for (const pkg of packages) categories[pkg.category] = (categories[pkg.category] ?? 0) + 1;
  const prices = range(packages.map((p) => p.price));
  const validity = range(packages.map((p) => p.validity_days));
  return {
    success: true,
    message: 'Packages récupérés avec succès',
    msisdn: request.msisdn,
    isdn: request.isdn,
    type: request.type,
    packages,
    total_packages: packages.length,
    summary: {
      total_packages: packages.length,
      categories,
      price_range: {
        ...prices,
        min_formatted: formatMoney(prices.min),
        max_formatted: formatMoney(prices.max),
        average_formatted: formatMoney(prices.average),
      },
      validity_range: {
        min_days: validity.min,
        max_days: validity.max,
        min_formatted: formatValidity(validity.min),
        max_formatted: formatValidity(validity.max),
      },
      main_balance: mainBalance,
      main_balance_formatted: formatMoney(mainBalance),
    },
    details: {
      msisdn: request.msisdn,
      isdn: request.isdn,
      type: request.type,
      request_time: new Date(now).toISOString(),
      total_packages: packages.length,
      backend_api: 'TopUp SOAP',
    },
  };
}
