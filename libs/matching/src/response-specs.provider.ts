import { Provider } from '@nestjs/common';
import { APP_CONFIG, AppConfig, loadResponseSpecs } from '@app/config';

export const RESPONSE_SPECS = Symbol('RESPONSE_SPECS');

/** The file defaults (RESPONSE_SPEC_FILE), validated at start; loaded into response_specs as version 1 when it is empty. */
export const responseSpecsProvider: Provider = {
  provide: RESPONSE_SPECS,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => loadResponseSpecs(config.timers.responseSpecFile),
};
