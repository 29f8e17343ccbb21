// Environment for e2e tests: the test database, a queue prefix per jest worker, fast timers.
process.env.NODE_ENV = 'test';
process.env.DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/jiaoying_test';
process.env.REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
process.env.QUEUE_PREFIX = process.env.TEST_QUEUE_PREFIX ?? `jiaoying-test-${process.env.JEST_WORKER_ID ?? '0'}`;
process.env.LOG_LEVEL = process.env.TEST_LOG_LEVEL ?? 'error';
process.env.TIMER_SCALE = process.env.TIMER_SCALE ?? '0.001';
// One test process hosts api, matcher, dispatcher and escalator, so it gets their pools together.
process.env.DATABASE_POOL_MAX = process.env.TEST_DATABASE_POOL_MAX ?? '40';
