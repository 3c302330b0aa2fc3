// Compiles a CRD's openAPIV3Schema with ajv (OpenAPI v3 is draft-04/07-like; the
// x-kubernetes-* keywords are annotations to ajv), so tests can check documents against the
// schema the API server would enforce. CEL rules (x-kubernetes-validations) are not run.
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { SchemaNode } from '../../src/operator/structural-schema.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export function compileCrdSchema(schema: SchemaNode): ValidateFunction {
  const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, strictTypes: false });
  addFormats(ajv);
  for (const keyword of ['x-kubernetes-preserve-unknown-fields', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-validations', 'x-kubernetes-int-or-string']) {
    ajv.addKeyword({ keyword });
  }
  return ajv.compile(schema);
}
