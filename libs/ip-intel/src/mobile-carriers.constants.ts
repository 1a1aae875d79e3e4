/**
 * Mobile network operators: phones and tethered laptops of an account's own people show up here
 * with fresh addresses every few hours (issue 5: "a phone on a mobile carrier"). AS numbers as they
 * appear in the ASN data; names caught by {@link MOBILE_CARRIER_NAME} cover the rest.
 */
export const MOBILE_CARRIER_ASNS: ReadonlySet<number> = new Set([
  // China Mobile and its provincial networks
  9808, 24400, 24444, 24445, 56040, 56041, 56042, 56044, 56046, 56047, 56048,
  // United States: T-Mobile, Verizon Wireless, AT&T Mobility
  21928, 6167, 22394, 20057,
  // Europe: Vodafone, Telefonica o2, Orange mobile
  3209, 6805, 12430, 25135,
  // Asia-Pacific: NTT DOCOMO, Reliance Jio, Bharti Airtel mobile, Telstra mobile
  9605, 55836, 45609, 4804,
]);

/** Organization names of mobile operators not in the list. */
export const MOBILE_CARRIER_NAME = /\b(?:mobile|mobility|wireless|cellular|docomo)\b/i;
