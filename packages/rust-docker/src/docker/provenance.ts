import { createHash } from 'node:crypto';
import { realpathSync } from 'node:fs';

/**
 * Labels docker-build puts on every image it builds, so that health-check and docker-run
 * can tell an image this project built from one that merely has its name (pulled, built
 * by hand, or by another checkout) when there is no image record to name the exact id.
 */
export const PROJECT_LABEL = 'org.rust-docker.project';
export const WORKSPACE_LABEL = 'org.rust-docker.workspace';

/** This checkout, as a short hash of its real path (the path itself stays out of the image). */
export function workspaceId(root: string): string {
  let real = root;
  try {
    real = realpathSync(root);
  } catch {
    // not on disk: the path as given
  }
  return createHash('sha256').update(real).digest('hex').slice(0, 16);
}

export function provenanceLabels(project: string, root: string): Record<string, string> {
  return { [PROJECT_LABEL]: project, [WORKSPACE_LABEL]: workspaceId(root) };
}

/** Why an image with these labels is not proven to be this project's build here; undefined when it is. */
export function provenanceProblem(labels: Record<string, string> | null | undefined, project: string, root: string): string | undefined {
  const built = labels?.[PROJECT_LABEL];
  if (built === undefined) return `it has no ${PROJECT_LABEL} label, so docker-build did not build it`;
  if (built !== project) return `its ${PROJECT_LABEL} label says it was built for project "${built}"`;
  if (labels?.[WORKSPACE_LABEL] !== workspaceId(root)) return 'it was built by another checkout of the workspace';
  return undefined;
}
