// Deterministic demo dataset for 铜梁区 (500151) and 丰都县 (500230): real division tree and county
// outlines, SYNTHETIC town/village outlines, risk zones, protected objects and roster.
export { seedDemo, planDemo, countDemo, deleteDemo, DemoSeedError } from './seed-demo';
export type { DemoCounts, DemoPlan, DemoSummary } from './seed-demo';
export { demoId, uuidV5, Prng, seedOf } from './deterministic-id';
export { DivisionTree } from './division-tree';
export { SHIZHI_TOWN } from './risk-zones';
export { DEMO_EMAIL_DOMAIN } from './roster';
export { DEMO_ACCOUNTS, DEMO_API_KEYS, issueDemoApiKey, seedDemoAccounts } from './demo-accounts';
export { DEMO_STATIONS, seedDemoStations } from './stations';
export { seedProvince, deleteProvince, countProvince } from './seed-province';
export type { ProvinceCounts, ProvinceSummary } from './seed-province';
export { CHONGQING_SIZE, PROVINCE_CITY, PROVINCE_PREFIX, provinceSize, fixedStaff } from './province-plan';
export type { ProvinceSize } from './province-plan';
