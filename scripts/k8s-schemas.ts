/**
 * Writes JSON schemas for kubeconform from the Kubernetes OpenAPI document and CRD manifests, in
 * the layout kubeconform's schema-location template `{{ .ResourceKind }}{{ .KindSuffix }}.json`
 * reads (deployment-apps-v1.json, service-v1.json, servicemonitor-monitoring-v1.json).
 *
 *   node --import tsx scripts/k8s-schemas.ts <out dir> <swagger.json> [<crd.yaml> ...]
 *
 * The machine reaches no schema download site, only the Go module proxy: swagger.json comes from
 * the k8s.io/kubernetes module (api/openapi-spec) and the CRDs from prometheus-operator's
 * (scripts/install-k8s-tools.sh fetches both). Each file stands alone: the kind's schema with the
 * definitions it reaches. Like the published strict schemas: unknown fields are refused
 * (additionalProperties: false), optional fields may be null, int-or-string and quantities accept
 * both forms.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { parseAllDocuments } from 'yaml';

type Schema = { [key: string]: unknown };
interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

const isSchema = (value: unknown): value is Schema => typeof value === 'object' && value !== null && !Array.isArray(value);

/** kubeconform's KindSuffix: "-<first label of the group>-<version>", or "-<version>" for the core group. */
export function schemaFileName(kind: string, group: string, version: string): string {
  const suffix = group ? `-${group.split('.')[0]!.toLowerCase()}-${version.toLowerCase()}` : `-${version.toLowerCase()}`;
  return `${kind.toLowerCase()}${suffix}.json`;
}

/** A copy made strict: no descriptions, objects with properties refuse others, optional typed fields accept null. */
function strict(node: unknown, nullableOptional: boolean): unknown {
  if (Array.isArray(node)) return node.map((item) => strict(item, nullableOptional));
  if (!isSchema(node)) return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key === 'properties' && isSchema(value)) {
      const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
      const props: Schema = {};
      for (const [name, prop] of Object.entries(value)) {
        const converted = strict(prop, nullableOptional);
        props[name] = nullableOptional && !required.has(name) ? nullable(converted) : converted;
      }
      out.properties = props;
    } else {
      out[key] = strict(value, nullableOptional);
    }
  }
  if (isSchema(node.properties) && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

function nullable(schema: unknown): unknown {
  if (!isSchema(schema) || typeof schema.type !== 'string') return schema;
  return { ...schema, type: [schema.type, 'null'] };
}

function refsOf(node: unknown, found: Set<string>): void {
  if (Array.isArray(node)) {
    for (const item of node) refsOf(item, found);
  } else if (isSchema(node)) {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string' && value.startsWith('#/definitions/')) found.add(value.slice('#/definitions/'.length));
      else refsOf(value, found);
    }
  }
}

/** Every kind of the OpenAPI v2 document, as [file name, stand-alone schema]. */
export function schemasFromSwagger(swagger: { definitions: Record<string, Schema> }): Map<string, Schema> {
  const definitions: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    if (name === INT_OR_STRING) definitions[name] = { oneOf: [{ type: 'string' }, { type: 'integer' }] };
    else if (name === QUANTITY) definitions[name] = { oneOf: [{ type: 'string' }, { type: 'number' }] };
    else definitions[name] = strict(definition, true);
  }
  const out = new Map<string, Schema>();
  for (const [name, definition] of Object.entries(swagger.definitions)) {
    const kinds = definition['x-kubernetes-group-version-kind'] as GroupVersionKind[] | undefined;
    if (!kinds) continue;
    const reached = new Set<string>();
    const pending = [name];
    while (pending.length > 0) {
      const next = pending.pop()!;
      if (reached.has(next)) continue;
      reached.add(next);
      const found = new Set<string>();
      refsOf(definitions[next], found);
      pending.push(...found);
    }
    reached.delete(name);
    const own = definitions[name] as Schema;
    const schema: Schema = { ...own, definitions: Object.fromEntries([...reached].sort().map((ref) => [ref, definitions[ref]])) };
    for (const gvk of kinds) out.set(schemaFileName(gvk.kind, gvk.group, gvk.version), schema);
  }
  return out;
}

/** Every served version of the CustomResourceDefinitions in a YAML text, as [file name, schema]. */
export function schemasFromCrds(yamlText: string): Map<string, Schema> {
  const out = new Map<string, Schema>();
  for (const document of parseAllDocuments(yamlText)) {
    const crd = document.toJS() as {
      kind?: string;
      spec?: { group: string; names: { kind: string }; versions: { name: string; schema?: { openAPIV3Schema?: Schema } }[] };
    };
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    for (const version of crd.spec.versions) {
      const schema = version.schema?.openAPIV3Schema;
      if (!schema) continue;
      out.set(schemaFileName(crd.spec.names.kind, crd.spec.group, version.name), strict(schema, false) as Schema);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const [outDir, swaggerPath, ...crdPaths] = process.argv.slice(2);
  if (!outDir || !swaggerPath) throw new Error('usage: k8s-schemas.ts <out dir> <swagger.json> [<crd.yaml> ...]');
  const schemas = schemasFromSwagger(JSON.parse(await fs.readFile(swaggerPath, 'utf8')) as { definitions: Record<string, Schema> });
  for (const crdPath of crdPaths) {
    for (const [file, schema] of schemasFromCrds(await fs.readFile(crdPath, 'utf8'))) schemas.set(file, schema);
  }
  await fs.mkdir(outDir, { recursive: true });
  await Promise.all([...schemas].map(([file, schema]) => fs.writeFile(path.join(outDir, file), JSON.stringify(schema))));
  console.error(`wrote ${schemas.size} schemas to ${outDir}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
