/**
 * The release version, injected into bundles by deploy/build/bundle.mjs (`define`) from the root
 * package.json; `0.0.0-dev` when running from source (tests).
 */
export const SERVICE_VERSION: string = process.env.TRAIL_INSIGHT_VERSION ?? '0.0.0-dev';
