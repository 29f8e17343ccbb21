import { Module } from '@nestjs/common';
import { ResponseModule } from '@app/response';
import { AreaMatcher } from './area-matcher';
import { MatchWarningService } from './match-warning.service';
import { RecipientResolver } from './recipient-resolver';
import { responseSpecsProvider, RESPONSE_SPECS } from './response-specs.provider';

@Module({
  imports: [ResponseModule],
  providers: [AreaMatcher, RecipientResolver, MatchWarningService, responseSpecsProvider],
  exports: [MatchWarningService, RecipientResolver, RESPONSE_SPECS],
})
export class MatchingModule {}
