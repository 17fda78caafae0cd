// Platform-neutral reports: what a host or an incident amounts to, redacted, before any renderer.
export { buildHostReport } from './build-host-report.js';
export { buildIncidentReport } from './build-incident-report.js';
export { CATEGORY_TITLES } from './category-titles.js';
export { safeText } from './safe-text.js';
export type * from './types.js';
export { hostResources, RESOURCES_BEHIND, type HostResourceInput, type ResourceKind, type ResourceRef } from './resources.js';
export { incidentCauses, sharedCauseText, type CauseGroup, type CauseHost, type IncidentCauses, type SharedCause } from './shared-causes.js';
export { sparkline, sparklineText, type Sparkline, type SparklineMark } from './sparkline.js';
export { accuracyTable, buildAccuracyReport, parseSince, type AccuracyCategory, type AccuracyReport, type AnswerCountRow, type DiagnosisCountRow } from './accuracy.js';
export { feedbackSubject, NO_PROBLEM, type FeedbackSubject } from './feedback-subject.js';
