// cdktf's Jest matchers (toHaveResourceWithProperties, toHaveProviderWithProperties, ...) on
// Jest 30 ESM: Testing.setupJest() extends the global `expect`, which is the one
// @jest/globals exports; the declarations below give them types on that `expect`.
import { Testing } from 'cdktf';

Testing.setupJest();

/** A construct class as the matchers take it: anything with `tfResourceType`. */
interface TerraformType {
  readonly tfResourceType: string;
}

declare module 'expect' {
  interface Matchers<R extends void | Promise<void>, T = unknown> {
    /** The synthesized JSON has a resource of `type` whose attributes include `properties` (deep-equal each). */
    toHaveResourceWithProperties(type: TerraformType, properties: Record<string, unknown>): R;
    toHaveResource(type: TerraformType): R;
    toHaveDataSourceWithProperties(type: TerraformType, properties: Record<string, unknown>): R;
    toHaveProviderWithProperties(type: TerraformType, properties: Record<string, unknown>): R;
    toHaveProvider(type: TerraformType): R;
    /** Only here to keep T in use, as the interface it merges with declares it. */
    readonly __cdktfMatchersSubject?: T;
  }
}
