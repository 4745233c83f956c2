import type { ReleaseProfileChoice } from './root-manifest-plan';

export interface InitGeneratorSchema {
  releaseProfile?: ReleaseProfileChoice;
  skipFormat?: boolean;
}
