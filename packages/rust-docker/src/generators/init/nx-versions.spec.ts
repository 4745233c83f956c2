import { NX_VERSION } from '@nx/devkit';
import { assertDevkitMatchesNx, devkitMismatch } from './nx-versions';

describe('devkitMismatch', () => {
  it('says what to install when npm gave the plugin a devkit newer than the workspace nx', () => {
    expect(devkitMismatch('24.0.0', '22.7.12')).toBe(
      '@org/rust-docker got @nx/devkit 24.0.0, which does not work with this workspace\'s nx 22.7.12: install the @nx/devkit of your Nx, which the plugin then shares (npm install -D @nx/devkit@22.7.12), and run the command again.',
    );
    expect(devkitMismatch('23.3.2', '22.7.12')).toContain('npm install -D @nx/devkit@22.7.12');
  });

  it('accepts the same major, devkit 24 on nx 23 (its peer range), and an older devkit (npm shares one a workspace already has)', () => {
    expect(devkitMismatch('24.0.0', '24.0.6')).toBeUndefined();
    expect(devkitMismatch('24.0.0', '23.3.2')).toBeUndefined();
    expect(devkitMismatch('22.7.12', '23.3.2')).toBeUndefined();
  });

  it('passes here, where devkit and nx come from the same release line', () => {
    expect(() => assertDevkitMatchesNx()).not.toThrow();
    expect(NX_VERSION.split('.')[0]).toBe(require('@nx/devkit/package.json').version.split('.')[0]);
  });
});
