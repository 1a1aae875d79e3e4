import type { TrailFormat } from './trail-catalog';

/** What a delivered object's name is made of. */
export interface DeliveryName {
  format: TrailFormat;
  accountId: string;
  resourceDirectoryId: string;
  region: string;
  /** When the object was delivered (its name's timestamp and date folders). */
  deliveredAt: number;
  jsonLines: boolean;
  /** Random-looking name part: a 32-hex "md5" (ActionTrail) or 16 characters (CloudTrail). */
  token: string;
  records: number;
  bytes: number;
}

/**
 * The object key in the provider's delivery layout: ActionTrail's multi-account trail layout
 * `AliyunLogs/Actiontrail/<rd>/<account>/<region>/<yyyy>/<mm>/<dd>/Actiontrail_<region>_<yyyyMMddHHmmss>_1002_<count>_<size>_<md5>.gz`,
 * CloudTrail's `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<account>_CloudTrail_<region>_<yyyyMMddTHHmmZ>_<id>.json.gz`.
 * JSON-lines files keep the folder and end in `.jsonl`.
 */
export function deliveryPath(name: DeliveryName): string {
  const iso = new Date(name.deliveredAt).toISOString();
  const [year, month, day] = [iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10)];
  const hhmm = iso.slice(11, 13) + iso.slice(14, 16);
  if (name.format === 'actiontrail') {
    const stamp = `${year}${month}${day}${hhmm}${iso.slice(17, 19)}`;
    const folder = `AliyunLogs/Actiontrail/${name.resourceDirectoryId}/${name.accountId}/${name.region}/${year}/${month}/${day}`;
    const file = `Actiontrail_${name.region}_${stamp}_1002_${name.records}_${name.bytes}_${name.token}`;
    return `${folder}/${file}.${name.jsonLines ? 'jsonl' : 'gz'}`;
  }
  const folder = `AWSLogs/${name.accountId}/CloudTrail/${name.region}/${year}/${month}/${day}`;
  const file = `${name.accountId}_CloudTrail_${name.region}_${year}${month}${day}T${hhmm}Z_${name.token}`;
  return `${folder}/${file}.${name.jsonLines ? 'jsonl' : 'json.gz'}`;
}
