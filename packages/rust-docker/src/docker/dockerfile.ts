import { render } from 'ejs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEFAULT_RUST_IMAGE = 'rust:1.95-bookworm';
export const SERVICE_UID = 10001;

export interface DockerfileOptions {
  /** Cargo package name. */
  name: string;
  /** Binary target to ship. */
  bin: string;
  /** Nx project name (for the usage comment). */
  project: string;
  port: number;
  /** Workspace-relative path of the Dockerfile (for the usage comment). */
  dockerfilePath: string;
  rustImage?: string;
}

/** Renders a service Dockerfile; the same text is written by generators and checked by sync. */
export function renderDockerfile(options: DockerfileOptions): string {
  const template = readFileSync(join(__dirname, 'files', 'Dockerfile.ejs'), 'utf8');
  return render(template, { rustImage: DEFAULT_RUST_IMAGE, uid: SERVICE_UID, ...options });
}

/** The port a Dockerfile exposes first, if any. */
export function exposedPort(dockerfile: string): number | undefined {
  const match = /^\s*EXPOSE\s+(\d+)/im.exec(dockerfile);
  return match ? Number(match[1]) : undefined;
}

/** The container port: the option when given, else the project Dockerfile's EXPOSE, else 8080. */
export function containerPort(workspaceRoot: string, projectRoot: string, option?: number): number {
  if (option) return option;
  const file = join(workspaceRoot, projectRoot, 'Dockerfile');
  return (existsSync(file) && exposedPort(readFileSync(file, 'utf8'))) || 8080;
}
