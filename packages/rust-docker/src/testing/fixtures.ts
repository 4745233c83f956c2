/**
 * Test helpers (used by *.spec.ts only): temp folders holding small file trees, and Cargo
 * workspace models built from inline manifests. No jest globals, so it also compiles with the lib.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseCargoManifest } from '../cargo/manifest';
import { buildWorkspaceModel, type CargoWorkspaceModel } from '../cargo/workspace';

/** A fresh, empty folder under the OS temp folder. */
export function makeTempDir(prefix = 'rust-docker-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export function writeFiles(root: string, files: Record<string, string>): void {
  for (const [rel, content] of Object.entries(files)) {
    const abs = join(root, rel);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
}

/** The crate graph of in-memory manifests (workspace-relative path → Cargo.toml text). */
export function modelOf(manifests: Record<string, string>): CargoWorkspaceModel {
  return buildWorkspaceModel(Object.entries(manifests).map(([file, text]) => parseCargoManifest(text, file)));
}

/** A minimal `[package]` manifest, with extra TOML appended. */
export function pkg(name: string, extra = ''): string {
  return `[package]\nname = "${name}"\nversion = "0.1.0"\nedition = "2021"\n${extra ? `\n${extra}\n` : ''}`;
}
