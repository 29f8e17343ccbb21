import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadResponseSpecs } from '@app/config';

export const RESPONSE_SPECS = Symbol('RESPONSE_SPECS');

/** The response specs, read once at start from RESPONSE_SPEC_FILE. */
export const responseSpecsProvider: Provider = {
  provide: RESPONSE_SPECS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => loadResponseSpecs(config.timers.responseSpecFile),
};
