// Which synthesized stacks a run on this machine alone can apply (`keywarden up`): test-mode
// keys delivered to files, through the keywarden provider only. Every other stack is skipped
// with the reasons why, in words a newcomer understands.
import type { SynthesizedStack } from '../stack/index.js';
import type { SkippedStack } from './plan-report.js';

const KEYWARDEN = 'registry.terraform.io/keywarden/keywarden';
const AWS = 'registry.terraform.io/hashicorp/aws';

/** Why the stack cannot be applied offline against the embedded key service; empty when it can. */
export function offlineBlockers(stack: SynthesizedStack): string[] {
  const reasons: string[] = [];
  const count = (kind: string) => stack.keys.filter((k) => k.deliveries.includes(kind as never)).length;
  const aws = count('aws_secrets_manager');
  const kubernetes = count('kubernetes_secret');
  const live = stack.keys.filter((k) => k.mode === 'live').length;
  const keys = (n: number) => `${n} key${n === 1 ? '' : 's'}`;
  if (aws > 0) reasons.push(`needs AWS Secrets Manager (${keys(aws)})`);
  if (kubernetes > 0) reasons.push(`needs a Kubernetes cluster (${keys(kubernetes)})`);
  // hashicorp/aws comes with AWS delivery, said above; name any other provider to download.
  const foreign = stack.providers.filter((p) => p !== KEYWARDEN && !(aws > 0 && p === AWS));
  if (foreign.length > 0) reasons.push(`needs ${foreign.join(', ')} from the Terraform registry (offline)`);
  if (live > 0) reasons.push(`live mode: ${keys(live)} for the environment's own key service, not the embedded one`);
  return reasons;
}

/** Splits stacks into those to apply and those skipped (with reasons). */
export function partitionOffline(stacks: readonly SynthesizedStack[]): { reachable: SynthesizedStack[]; skipped: SkippedStack[] } {
  const reachable: SynthesizedStack[] = [];
  const skipped: SkippedStack[] = [];
  for (const stack of stacks) {
    const reasons = offlineBlockers(stack);
    if (reasons.length === 0) reachable.push(stack);
    else skipped.push({ stack: stack.name, environments: stack.environments, reasons });
  }
  return { reachable, skipped };
}
