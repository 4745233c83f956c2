export interface ReleaseGeneratorSchema {
  relationship?: 'independent' | 'fixed';
  conventionalCommits?: boolean;
  skipFormat?: boolean;
}
