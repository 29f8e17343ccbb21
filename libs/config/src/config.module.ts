import { Global, Module } from '@nestjs/common';
import { Clock, SystemClock } from '@app/common';
import { APP_CONFIG } from './app-config';
import { loadEnv } from './load-env';

/** Global: the validated config and the clock, available to every module. */
@Global()
@Module({
  providers: [
    { provide: APP_CONFIG, useFactory: () => loadEnv() },
    { provide: Clock, useClass: SystemClock },
  ],
  exports: [APP_CONFIG, Clock],
})
export class ConfigModule {}
