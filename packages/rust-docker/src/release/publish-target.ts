import type { ProjectConfiguration, TargetConfiguration } from '@nx/devkit';
import type { CrateFacts } from '../graph/targets';

/** The target `nx release publish` runs, by this exact name, on every project it releases. */
export const RELEASE_PUBLISH_TARGET = 'nx-release-publish';

/**
 * A crate's nx-release-publish: the recorded image for services, `cargo publish` for
 * crates Cargo lets publish. It never depends on docker-build: a release publishes what CI
 * built (an affected-only run builds some images, not all) and reports what it skipped.
 */
export function releasePublishTarget(facts: Pick<CrateFacts, 'name' | 'packageName' | 'docker'>): TargetConfiguration {
  return {
    executor: '@org/rust-docker:release-publish',
    options: {},
    // A crate's dependencies are published first (cargo publish needs them on the registry).
    dependsOn: [`^${RELEASE_PUBLISH_TARGET}`],
    // It changes a registry: never replayed from a cache.
    cache: false,
    metadata: {
      technologies: facts.docker ? ['rust', 'docker'] : ['rust'],
      description: facts.docker
        ? `nx release publish: tag the image docker-build recorded for ${facts.name} with the released version and push it (skipped, with the reason, when no current image was built)`
        : `nx release publish: cargo publish -p ${facts.packageName} (nothing when Cargo.toml says publish = false)`,
      help: { command: 'cargo publish --help', example: { options: { tags: ['latest'] } } },
    },
  };
}

/** Adds nx-release-publish to a crate's inferred project; only workspaces with a release configuration get it. */
export function addReleasePublishTarget(project: Pick<ProjectConfiguration, 'targets'>, facts: Pick<CrateFacts, 'name' | 'packageName' | 'docker'>): void {
  project.targets = { ...project.targets, [RELEASE_PUBLISH_TARGET]: releasePublishTarget(facts) };
}
