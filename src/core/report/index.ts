// Platform-neutral reports: what a host or an incident amounts to, redacted, before any renderer.
export { buildHostReport } from './build-host-report.js';
export { buildIncidentReport } from './build-incident-report.js';
export { CATEGORY_TITLES } from './category-titles.js';
export { safeText } from './safe-text.js';
export type * from './types.js';
