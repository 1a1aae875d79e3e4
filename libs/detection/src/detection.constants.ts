export const MS_PER_SECOND = 1000;
export const MS_PER_DAY = 86_400_000;
/** Observation window length (SPEC §3.3). */
export const WINDOW_MS = 7 * MS_PER_DAY;
/** A usual IP unseen for longer than this is forgotten (SPEC §3.2). */
export const FORGET_AFTER_MS = 90 * MS_PER_DAY;
/** Insight event granularity (SPEC §3.3, §5). */
export const BUCKET_MS = 300 * MS_PER_SECOND;
/** An id seen again within this interval is a duplicate (SPEC §1). */
export const DEDUP_HORIZON_MS = 3_600_000;
/** Distinct day slots that make an IP usual (SPEC §3.4). */
export const USUAL_SLOT_COUNT = 3;
/** Events an account needs before its windows may yield insights (SPEC §3.1). */
export const DEFAULT_MIN_BASELINE = 10_000;
/** Management events kept per insight in the IPInsight record (SPEC §5). */
export const MAX_EVENT_IDS = 100;
