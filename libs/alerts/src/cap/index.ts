export * from './normalized-alert';
export { parseCap, DEFAULT_MAX_CAP_BYTES } from './parse-cap';
export type { ParseCapOptions } from './parse-cap';
export { capFromJson } from './cap-from-json';
export type { CapOptions } from './cap-options';
export { loadHazardTables, DEFAULT_HAZARD_TABLES_PATH } from './hazard-tables';
export type { HazardTables } from './hazard-tables';
export type { CapIssue } from './cap-issues';
