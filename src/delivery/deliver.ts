// Stage-then-promote conveniences for callers that deliver a version in one go
// (the Terraform provider at create); the operator calls the steps itself.
import type { SecretDestination, SecretVersion } from './destination.js';

/** Stages and promotes one version at one destination. Safe to repeat. */
export async function deliver(destination: SecretDestination, version: SecretVersion): Promise<void> {
  await destination.stage(version);
  await destination.promote(version.versionId);
}

/**
 * Delivers a version to several destinations: stages it everywhere first, and only then
 * promotes it everywhere, so a destination that refuses the write leaves the others
 * unchanged (their staged copies are discarded, best effort). Safe to repeat.
 */
export async function deliverAll(destinations: readonly SecretDestination[], version: SecretVersion): Promise<void> {
  const staged: SecretDestination[] = [];
  try {
    for (const destination of destinations) {
      await destination.stage(version);
      staged.push(destination);
    }
  } catch (err) {
    for (const destination of staged) await destination.discard(version.versionId).catch(() => undefined);
    throw err;
  }
  for (const destination of destinations) await destination.promote(version.versionId);
}
