export const MS_PER_SECOND = 1000;
export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;
/** Observation window of SPEC §3.3, for the expected outcomes in the labels. */
export const WINDOW_MS = 7 * MS_PER_DAY;
/** A usual IP unseen for longer than this is forgotten (SPEC §3.2). */
export const FORGET_AFTER_MS = 90 * MS_PER_DAY;
/** Distinct day slots that make an IP usual (SPEC §3.4). */
export const USUAL_SLOT_COUNT = 3;
/** The SPEC's default baseline (SPEC §3.1). */
export const DEFAULT_MIN_BASELINE = 10_000;
/** Background events of the small account stay below this, so it never reaches the baseline. */
export const SMALL_ACCOUNT_BACKGROUND_CAP = 6000;
/** Real delivery splits busy periods into several objects; so do we. */
export const MAX_RECORDS_PER_FILE = 5000;
/** Files of this UTC hour are written as JSON lines (`.jsonl`), the others as JSON documents. */
export const JSON_LINES_HOUR = 23;
/** Share of ActionTrail JSON-lines records written as SLS rows (`event` holds the record as text). */
export const SLS_ROW_RATE = 0.1;
/** How late the re-delivered copy of an hour's file is delivered (its name's timestamp). */
export const REDELIVERY_DELAY_MS = 2 * MS_PER_HOUR;
