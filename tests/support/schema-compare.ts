/**
 * Compares what schema.prisma says the PostgreSQL database looks like (read through Prisma's own
 * parser, `getDMMF` from @prisma/internals) with what a database actually contains (read from
 * pg_catalog), and lists every difference in words.
 *
 * Used by tests/db/schema-drift.test.ts to prove the hand-written migrations produce exactly the
 * schema `prisma migrate` would. The expectations follow Prisma's PostgreSQL conventions:
 * table/column names from @@map/@map, the type of each scalar (or its @db native type), lists as
 * nullable arrays, defaults, `<table>_pkey`, `<table>_<cols>_key` unique indexes,
 * `<table>_<cols>_idx` indexes, `<table>_<cols>_fkey` foreign keys with Prisma's default
 * referential actions, identifiers truncated to 63 bytes, implicit many-to-many join tables.
 */
import type { getDMMF } from '@prisma/internals';
import type { ClientBase } from 'pg';

export type Dmmf = Awaited<ReturnType<typeof getDMMF>>;
export type Datamodel = Dmmf['datamodel'];
type Model = Datamodel['models'][number];
type Field = Model['fields'][number];

export type ReferentialAction = 'CASCADE' | 'RESTRICT' | 'NO ACTION' | 'SET NULL' | 'SET DEFAULT';

export interface DbColumn {
  name: string;
  /** Element type for arrays; enum name (unquoted) for enums; otherwise format_type() output, e.g. `numeric(12,2)`. */
  type: string;
  isArray: boolean;
  notNull: boolean;
  /** pg_get_expr() of the column default, or null. */
  default: string | null;
  identity: boolean;
  generated: boolean;
}

export interface DbTable {
  name: string;
  columns: DbColumn[];
}

export interface DbIndex {
  name: string;
  table: string;
  /** Key columns in index order; an expression shows as `<expression>`. */
  columns: string[];
  descending: boolean[];
  unique: boolean;
  primary: boolean;
  method: string;
  partial: boolean;
  /** The constraint backing the index ('p' primary key, 'u' unique constraint, 'x' exclusion), if any. */
  constraintType: string | null;
}

export interface DbForeignKey {
  name: string;
  table: string;
  columns: string[];
  referencedSchema: string;
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

export interface DbEnum {
  name: string;
  values: string[];
}

export interface DbIntrospection {
  schema: string;
  tables: DbTable[];
  indexes: DbIndex[];
  foreignKeys: DbForeignKey[];
  enums: DbEnum[];
  /** Check and other constraints Prisma never creates. */
  otherConstraints: { table: string; name: string; type: string; definition: string }[];
  /** Views, materialized views, foreign tables. */
  otherRelations: { name: string; kind: string }[];
}

const FK_ACTIONS: Record<string, ReferentialAction> = {
  a: 'NO ACTION',
  r: 'RESTRICT',
  c: 'CASCADE',
  n: 'SET NULL',
  d: 'SET DEFAULT',
};

/** Reads tables, columns, indexes, foreign keys, enums and stray objects of one schema from pg_catalog. */
export async function introspectDatabase(client: ClientBase, schema = 'public'): Promise<DbIntrospection> {
  const relations = await client.query<{ name: string; kind: string }>(
    `SELECT c.relname AS name, c.relkind::text AS kind
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
      ORDER BY c.relname`,
    [schema],
  );

  const columns = await client.query<{
    table: string;
    name: string;
    is_array: boolean;
    type: string;
    not_null: boolean;
    default: string | null;
    identity: boolean;
    generated: boolean;
  }>(
    `SELECT c.relname AS table,
            a.attname AS name,
            t.typcategory = 'A' AND t.typelem <> 0 AS is_array,
            CASE WHEN et.typtype = 'e' THEN et.typname::text ELSE format_type(et.oid, a.atttypmod) END AS type,
            a.attnotnull AS not_null,
            pg_get_expr(d.adbin, d.adrelid) AS default,
            a.attidentity <> '' AS identity,
            a.attgenerated <> '' AS generated
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type et ON et.oid = CASE WHEN t.typcategory = 'A' AND t.typelem <> 0 THEN t.typelem ELSE t.oid END
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
    [schema],
  );

  const indexes = await client.query<{
    name: string;
    table: string;
    columns: string[];
    options: number[];
    unique: boolean;
    primary: boolean;
    method: string;
    partial: boolean;
    constraint_type: string | null;
  }>(
    `SELECT i.relname AS name,
            t.relname AS table,
            ARRAY(SELECT COALESCE(a.attname::text, '<expression>')
                    FROM unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
                    LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
                   WHERE k.ord <= ix.indnkeyatts
                   ORDER BY k.ord)::text[] AS columns,
            ARRAY(SELECT o FROM unnest(ix.indoption::int2[]) WITH ORDINALITY k(o, ord)
                   WHERE k.ord <= ix.indnkeyatts ORDER BY k.ord)::int[] AS options,
            ix.indisunique AS unique,
            ix.indisprimary AS primary,
            am.amname::text AS method,
            ix.indpred IS NOT NULL AS partial,
            (SELECT con.contype::text FROM pg_constraint con
              WHERE con.conindid = ix.indexrelid AND con.conrelid = t.oid AND con.contype IN ('p', 'u', 'x')
              LIMIT 1) AS constraint_type
       FROM pg_index ix
       JOIN pg_class i ON i.oid = ix.indexrelid
       JOIN pg_class t ON t.oid = ix.indrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_am am ON am.oid = i.relam
      WHERE n.nspname = $1
      ORDER BY t.relname, i.relname`,
    [schema],
  );

  const fks = await client.query<{
    name: string;
    table: string;
    columns: string[];
    ref_schema: string;
    ref_table: string;
    ref_columns: string[];
    on_delete: string;
    on_update: string;
  }>(
    `SELECT con.conname AS name,
            t.relname AS table,
            ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS columns,
            rn.nspname AS ref_schema,
            rt.relname AS ref_table,
            ARRAY(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, ord)
                    JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.ord)::text[] AS ref_columns,
            con.confdeltype::text AS on_delete,
            con.confupdtype::text AS on_update
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
       JOIN pg_class rt ON rt.oid = con.confrelid
       JOIN pg_namespace rn ON rn.oid = rt.relnamespace
      WHERE n.nspname = $1 AND con.contype = 'f'
      ORDER BY t.relname, con.conname`,
    [schema],
  );

  const others = await client.query<{ table: string; name: string; type: string; definition: string }>(
    `SELECT t.relname AS table, con.conname AS name, con.contype::text AS type, pg_get_constraintdef(con.oid) AS definition
       FROM pg_constraint con
       JOIN pg_class t ON t.oid = con.conrelid
       JOIN pg_namespace n ON n.oid = t.relnamespace
      WHERE n.nspname = $1 AND con.contype NOT IN ('p', 'u', 'f', 'n')
      ORDER BY t.relname, con.conname`,
    [schema],
  );

  const enums = await client.query<{ name: string; values: string[] }>(
    `SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder)::text[] AS values
       FROM pg_type t
       JOIN pg_enum e ON e.enumtypid = t.oid
       JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1
      GROUP BY t.typname
      ORDER BY t.typname`,
    [schema],
  );

  const tables: DbTable[] = relations.rows
    .filter((r) => r.kind === 'r' || r.kind === 'p')
    .map((r) => ({
      name: r.name,
      columns: columns.rows
        .filter((c) => c.table === r.name)
        .map((c) => ({
          name: c.name,
          type: c.type,
          isArray: c.is_array,
          notNull: c.not_null,
          default: c.default,
          identity: c.identity,
          generated: c.generated,
        })),
    }));

  return {
    schema,
    tables,
    indexes: indexes.rows.map((i) => ({
      name: i.name,
      table: i.table,
      columns: i.columns,
      descending: i.options.map((o) => (o & 1) === 1),
      unique: i.unique,
      primary: i.primary,
      method: i.method,
      partial: i.partial,
      constraintType: i.constraint_type,
    })),
    foreignKeys: fks.rows.map((f) => ({
      name: f.name,
      table: f.table,
      columns: f.columns,
      referencedSchema: f.ref_schema,
      referencedTable: f.ref_table,
      referencedColumns: f.ref_columns,
      onDelete: FK_ACTIONS[f.on_delete] ?? (f.on_delete as ReferentialAction),
      onUpdate: FK_ACTIONS[f.on_update] ?? (f.on_update as ReferentialAction),
    })),
    enums: enums.rows,
    otherConstraints: others.rows,
    otherRelations: relations.rows
      .filter((r) => r.kind !== 'r' && r.kind !== 'p')
      .map((r) => ({ name: r.name, kind: { v: 'view', m: 'materialized view', f: 'foreign table' }[r.kind] ?? r.kind })),
  };
}

// ---------------------------------------------------------------------------------------------
// What schema.prisma implies
// ---------------------------------------------------------------------------------------------

/** How a column default must look. */
type ExpectedDefault =
  | { kind: 'none' }
  | { kind: 'sequence' }
  | { kind: 'now' }
  | { kind: 'number'; value: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'string'; value: string }
  /** dbgenerated(), list, Json or DateTime literal defaults: only that a default exists. */
  | { kind: 'present'; description: string };

interface ExpectedColumn {
  name: string;
  type: string;
  isArray: boolean;
  notNull: boolean;
  default: ExpectedDefault;
}

interface ExpectedTable {
  name: string;
  /** The model (or implicit relation) it comes from, for messages. */
  source: string;
  columns: ExpectedColumn[];
}

interface ExpectedIndex {
  name: string;
  table: string;
  columns: string[];
  descending: boolean[];
  kind: 'primary' | 'unique' | 'normal';
  method: string;
}

interface ExpectedForeignKey {
  name: string;
  table: string;
  columns: string[];
  referencedTable: string;
  referencedColumns: string[];
  onDelete: ReferentialAction;
  onUpdate: ReferentialAction;
}

interface Expected {
  tables: ExpectedTable[];
  indexes: ExpectedIndex[];
  foreignKeys: ExpectedForeignKey[];
  enums: DbEnum[];
  problems: string[];
}

const MAX_IDENTIFIER_LENGTH = 63;

/** Prisma's default constraint names: `<table>_<columns>` cut to fit 63 bytes with the suffix, then the suffix. */
export function defaultConstraintName(table: string, columns: readonly string[], suffix: 'pkey' | 'key' | 'idx' | 'fkey'): string {
  const base = suffix === 'pkey' ? table : [table, ...columns].join('_');
  const tail = `_${suffix}`;
  const room = MAX_IDENTIFIER_LENGTH - tail.length;
  return `${Buffer.byteLength(base) > room ? Buffer.from(base).subarray(0, room).toString('utf8') : base}${tail}`;
}

const SCALAR_TYPES: Record<string, string> = {
  String: 'text',
  Boolean: 'boolean',
  Int: 'integer',
  BigInt: 'bigint',
  Float: 'double precision',
  Decimal: 'numeric(65,30)',
  DateTime: 'timestamp(3) without time zone',
  Json: 'jsonb',
  Bytes: 'bytea',
};

/** `@db.X(args)` to format_type() spelling. */
function nativeTypeToPg(name: string, args: readonly string[]): string | undefined {
  const p = args.length ? `(${args.join(',')})` : '';
  switch (name) {
    case 'Text':
      return 'text';
    case 'Char':
      return `character${p || '(1)'}`;
    case 'VarChar':
      return `character varying${p}`;
    case 'Bit':
      return `bit${p || '(1)'}`;
    case 'VarBit':
      return `bit varying${p}`;
    case 'Uuid':
      return 'uuid';
    case 'Xml':
      return 'xml';
    case 'Inet':
      return 'inet';
    case 'Citext':
      return 'citext';
    case 'Boolean':
      return 'boolean';
    case 'Integer':
      return 'integer';
    case 'SmallInt':
      return 'smallint';
    case 'BigInt':
      return 'bigint';
    case 'Oid':
      return 'oid';
    case 'DoublePrecision':
      return 'double precision';
    case 'Real':
      return 'real';
    case 'Decimal':
      return `numeric${p}`;
    case 'Money':
      return 'money';
    case 'Timestamp':
      return `timestamp${p} without time zone`;
    case 'Timestamptz':
      return `timestamp${p} with time zone`;
    case 'Date':
      return 'date';
    case 'Time':
      return `time${p} without time zone`;
    case 'Timetz':
      return `time${p} with time zone`;
    case 'Json':
      return 'json';
    case 'JsonB':
      return 'jsonb';
    case 'ByteA':
      return 'bytea';
    default:
      return undefined;
  }
}

function columnName(field: Field): string {
  return field.dbName ?? field.name;
}

function tableName(model: Model): string {
  return model.dbName ?? model.name;
}

function expectedDefault(field: Field, enumValueDbName: (value: string) => string): ExpectedDefault {
  if (!field.hasDefaultValue || field.default === undefined) return { kind: 'none' };
  const d = field.default;
  if (Array.isArray(d)) return { kind: 'present', description: `list default ${JSON.stringify(d)}` };
  if (typeof d === 'object' && d !== null && 'name' in d) {
    switch (d.name) {
      case 'autoincrement':
        return { kind: 'sequence' };
      case 'now':
        return { kind: 'now' };
      case 'dbgenerated':
        return d.args.length ? { kind: 'present', description: `dbgenerated(${JSON.stringify(d.args[0])})` } : { kind: 'none' };
      default:
        // uuid(), cuid(), nanoid(), ulid(): generated by the client, no database default.
        return { kind: 'none' };
    }
  }
  if (typeof d === 'object') return { kind: 'present', description: `default ${JSON.stringify(d)}` };
  if (field.kind === 'enum') return { kind: 'string', value: enumValueDbName(String(d)) };
  if (typeof d === 'boolean') return { kind: 'boolean', value: d };
  if (typeof d === 'number') return { kind: 'number', value: d };
  switch (field.type) {
    case 'String':
      return { kind: 'string', value: d };
    case 'Int':
    case 'BigInt':
    case 'Float':
    case 'Decimal':
      return { kind: 'number', value: Number(d) };
    default:
      return { kind: 'present', description: `${field.type} default ${JSON.stringify(d)}` };
  }
}

const DEFAULT_ON_UPDATE: ReferentialAction = 'CASCADE';

function toAction(prismaAction: string): ReferentialAction {
  switch (prismaAction) {
    case 'Cascade':
      return 'CASCADE';
    case 'Restrict':
      return 'RESTRICT';
    case 'NoAction':
      return 'NO ACTION';
    case 'SetNull':
      return 'SET NULL';
    case 'SetDefault':
      return 'SET DEFAULT';
    default:
      return prismaAction.toUpperCase() as ReferentialAction;
  }
}

function expectedFromDatamodel(datamodel: Datamodel): Expected {
  const problems: string[] = [];
  const modelsByName = new Map(datamodel.models.map((m) => [m.name, m]));
  const enumsByName = new Map(datamodel.enums.map((e) => [e.name, e]));
  const tables: ExpectedTable[] = [];
  const indexes: ExpectedIndex[] = [];
  const foreignKeys: ExpectedForeignKey[] = [];

  const fieldColumn = (model: Model, fieldName: string): string => {
    const f = model.fields.find((x) => x.name === fieldName);
    if (!f) {
      problems.push(`schema: model ${model.name} has no field ${fieldName}`);
      return fieldName;
    }
    return columnName(f);
  };

  const columnType = (model: Model, field: Field): string => {
    if (field.kind === 'enum') return enumsByName.get(field.type)?.dbName ?? field.type;
    if (field.kind === 'unsupported') return field.type.toLowerCase();
    if (field.nativeType) {
      const [name, args] = field.nativeType;
      const mapped = nativeTypeToPg(name, args);
      if (!mapped) problems.push(`schema: ${model.name}.${field.name}: native type @db.${name} is not known to the comparison`);
      return mapped ?? `@db.${name}`;
    }
    const mapped = SCALAR_TYPES[field.type];
    if (!mapped) problems.push(`schema: ${model.name}.${field.name}: type ${field.type} is not known to the comparison`);
    return mapped ?? field.type;
  };

  for (const model of datamodel.models) {
    if (model.schema) problems.push(`schema: model ${model.name} uses multiSchema (@@schema), which the comparison does not handle`);
    const table = tableName(model);
    const columns: ExpectedColumn[] = [];
    for (const field of model.fields) {
      if (field.kind === 'object') continue;
      const type = columnType(model, field);
      const enumDef = field.kind === 'enum' ? enumsByName.get(field.type) : undefined;
      columns.push({
        name: columnName(field),
        type,
        isArray: field.isList,
        // Prisma never makes a list column NOT NULL on PostgreSQL.
        notNull: field.isRequired && !field.isList,
        default: expectedDefault(field, (v) => enumDef?.values.find((x) => x.name === v)?.dbName ?? v),
      });
    }
    tables.push({ name: table, source: `model ${model.name}`, columns });

    // Foreign keys: the side of each relation that holds `fields:`.
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.relationFromFields?.length) continue;
      const target = modelsByName.get(field.type);
      if (!target) {
        problems.push(`schema: ${model.name}.${field.name} points at unknown model ${field.type}`);
        continue;
      }
      const cols = field.relationFromFields.map((f) => fieldColumn(model, f));
      const fromFields = field.relationFromFields.map((f) => model.fields.find((x) => x.name === f));
      // Prisma: Restrict when the relation is required, SetNull when optional (any FK column nullable).
      const optional = !field.isRequired || fromFields.some((f) => f && !f.isRequired);
      foreignKeys.push({
        name: defaultConstraintName(table, cols, 'fkey'),
        table,
        columns: cols,
        referencedTable: tableName(target),
        referencedColumns: (field.relationToFields ?? []).map((f) => fieldColumn(target, f)),
        onDelete: field.relationOnDelete ? toAction(field.relationOnDelete) : optional ? 'SET NULL' : 'RESTRICT',
        onUpdate: field.relationOnUpdate ? toAction(field.relationOnUpdate) : DEFAULT_ON_UPDATE,
      });
    }
  }

  for (const index of datamodel.indexes) {
    const model = modelsByName.get(index.model);
    if (!model) continue; // composite types
    const table = tableName(model);
    const cols = index.fields.map((f) => fieldColumn(model, f.name));
    const descending = index.fields.map((f) => f.sortOrder === 'desc');
    switch (index.type) {
      case 'id':
        indexes.push({ name: index.dbName ?? defaultConstraintName(table, cols, 'pkey'), table, columns: cols, descending, kind: 'primary', method: 'btree' });
        break;
      case 'unique':
        indexes.push({ name: index.dbName ?? defaultConstraintName(table, cols, 'key'), table, columns: cols, descending, kind: 'unique', method: 'btree' });
        break;
      case 'normal':
        indexes.push({
          name: index.dbName ?? defaultConstraintName(table, cols, 'idx'),
          table,
          columns: cols,
          descending,
          kind: 'normal',
          method: (index.algorithm ?? 'BTree').toLowerCase(),
        });
        break;
      default:
        problems.push(`schema: ${index.model}: index type ${index.type} is not supported on PostgreSQL`);
    }
  }

  // Implicit many-to-many relations: a join table `_<relationName>` with columns A and B.
  const seen = new Set<string>();
  for (const model of datamodel.models) {
    for (const field of model.fields) {
      if (field.kind !== 'object' || !field.isList || !field.relationName || seen.has(field.relationName)) continue;
      const other = modelsByName.get(field.type);
      const back = other?.fields.find((f) => f.kind === 'object' && f.relationName === field.relationName && f !== field);
      const isImplicitM2m = other && back && back.isList && !field.relationFromFields?.length && !back.relationFromFields?.length;
      if (!isImplicitM2m) continue;
      seen.add(field.relationName);
      const [a, b] = [model, other].sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
      const join = `_${field.relationName}`;
      const side = (m: Model, col: 'A' | 'B'): { column: ExpectedColumn; ref: string } | undefined => {
        const idField = m.fields.find((f) => f.isId);
        if (!idField) {
          problems.push(`schema: implicit relation ${field.relationName}: model ${m.name} has no single-field @id`);
          return undefined;
        }
        return { column: { name: col, type: columnType(m, idField), isArray: false, notNull: true, default: { kind: 'none' } }, ref: columnName(idField) };
      };
      const sa = side(a, 'A');
      const sb = side(b, 'B');
      if (!sa || !sb) continue;
      tables.push({ name: join, source: `implicit relation ${field.relationName}`, columns: [sa.column, sb.column] });
      indexes.push({ name: `${join}_AB_pkey`, table: join, columns: ['A', 'B'], descending: [false, false], kind: 'primary', method: 'btree' });
      indexes.push({ name: `${join}_B_index`, table: join, columns: ['B'], descending: [false], kind: 'normal', method: 'btree' });
      for (const [col, m, ref] of [
        ['A', a, sa.ref],
        ['B', b, sb.ref],
      ] as const) {
        foreignKeys.push({
          name: `${join}_${col}_fkey`,
          table: join,
          columns: [col],
          referencedTable: tableName(m),
          referencedColumns: [ref],
          onDelete: 'CASCADE',
          onUpdate: 'CASCADE',
        });
      }
    }
  }

  const enums: DbEnum[] = datamodel.enums.map((e) => ({ name: e.dbName ?? e.name, values: e.values.map((v) => v.dbName ?? v.name) }));
  return { tables, indexes, foreignKeys, enums, problems };
}

// ---------------------------------------------------------------------------------------------
// Comparison
// ---------------------------------------------------------------------------------------------

/** `'abc'::text` -> abc; `'it''s'::"Enum"` -> it's; anything else unchanged. */
function unquoteLiteral(expr: string): string | undefined {
  const m = /^'((?:[^']|'')*)'(?:::.+)?$/s.exec(expr.trim());
  return m ? m[1]!.replace(/''/g, "'") : undefined;
}

function numericLiteral(expr: string): number | undefined {
  let s = expr.trim();
  // (-1)::numeric, '0'::numeric, 0.95
  s = s.replace(/::[a-z ]+(\(\d+(,\s*\d+)?\))?$/i, '');
  s = s.replace(/^\((.*)\)$/, '$1');
  const lit = unquoteLiteral(s);
  if (lit !== undefined) s = lit;
  const n = Number(s);
  return s !== '' && Number.isFinite(n) ? n : undefined;
}

function describeExpectedDefault(d: ExpectedDefault): string {
  switch (d.kind) {
    case 'none':
      return 'no default';
    case 'sequence':
      return 'autoincrement (nextval)';
    case 'now':
      return 'now() (CURRENT_TIMESTAMP)';
    case 'number':
      return String(Number(d.value.toPrecision(15)));
    case 'boolean':
      return String(d.value);
    case 'string':
      return `'${d.value}'`;
    case 'present':
      return d.description;
  }
}

function defaultMatches(expected: ExpectedDefault, actual: string | null): boolean {
  if (expected.kind === 'none') return actual === null;
  if (actual === null) return false;
  switch (expected.kind) {
    case 'sequence':
      return /^nextval\(/i.test(actual);
    case 'now':
      return /^(CURRENT_TIMESTAMP|now\(\))$/i.test(actual.trim());
    case 'number': {
      // getDMMF renders some Float defaults with binary noise (0.95 comes back as 0.9500000000000001).
      const n = numericLiteral(actual);
      return n !== undefined && Math.abs(n - expected.value) <= 1e-12 * Math.max(1, Math.abs(n), Math.abs(expected.value));
    }
    case 'boolean':
      return actual.trim().toLowerCase() === String(expected.value);
    case 'string':
      return unquoteLiteral(actual) === expected.value;
    case 'present':
      return true;
  }
}

const q = (name: string): string => `"${name}"`;
const cols = (c: readonly string[]): string => `(${c.join(', ')})`;
const same = (a: readonly unknown[], b: readonly unknown[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

export interface CompareOptions {
  /** Tables that may exist in the database without a model (default: `_prisma_migrations`). */
  ignoreTables?: string[];
}

/**
 * Every difference between what the Prisma schema describes and what the database holds, as
 * sentences; an empty array means they agree.
 */
export function compareSchemaToDatabase(dmmf: Dmmf | Datamodel, db: DbIntrospection, opts: CompareOptions = {}): string[] {
  const datamodel: Datamodel = 'datamodel' in dmmf ? dmmf.datamodel : dmmf;
  const ignore = new Set(opts.ignoreTables ?? ['_prisma_migrations']);
  const expected = expectedFromDatamodel(datamodel);
  const diffs: string[] = [...expected.problems];

  // Enums
  const dbEnums = new Map(db.enums.map((e) => [e.name, e]));
  for (const e of expected.enums) {
    const actual = dbEnums.get(e.name);
    if (!actual) {
      diffs.push(`enum ${q(e.name)} is missing from the database`);
      continue;
    }
    if (!same(e.values, actual.values)) {
      const missing = e.values.filter((v) => !actual.values.includes(v));
      const extra = actual.values.filter((v) => !e.values.includes(v));
      const detail = [missing.length ? `missing ${missing.join(', ')}` : '', extra.length ? `extra ${extra.join(', ')}` : ''].filter(Boolean).join('; ');
      diffs.push(
        `enum ${q(e.name)}: values ${e.values.join(', ')} in schema, ${actual.values.join(', ')} in database${detail ? ` (${detail})` : ' (order differs)'}`,
      );
    }
  }
  const expectedEnumNames = new Set(expected.enums.map((e) => e.name));
  for (const e of db.enums) if (!expectedEnumNames.has(e.name)) diffs.push(`enum ${q(e.name)} exists in the database but not in the schema`);

  // Tables and columns
  const dbTables = new Map(db.tables.map((t) => [t.name, t]));
  const expectedTableNames = new Set(expected.tables.map((t) => t.name));
  for (const t of expected.tables) {
    const actual = dbTables.get(t.name);
    if (!actual) {
      diffs.push(`table ${q(t.name)} (${t.source}) is missing from the database`);
      continue;
    }
    const dbColumns = new Map(actual.columns.map((c) => [c.name, c]));
    for (const c of t.columns) {
      const a = dbColumns.get(c.name);
      const where = `${q(t.name)}.${q(c.name)}`;
      if (!a) {
        diffs.push(`column ${where} is missing from the database`);
        continue;
      }
      if (a.type !== c.type) diffs.push(`column ${where}: type ${c.type} in schema, ${a.type} in database`);
      if (a.isArray !== c.isArray)
        diffs.push(`column ${where}: ${c.isArray ? 'an array' : 'not an array'} in schema, ${a.isArray ? 'an array' : 'not an array'} in database`);
      if (a.notNull !== c.notNull)
        diffs.push(`column ${where}: ${c.notNull ? 'NOT NULL' : 'nullable'} in schema, ${a.notNull ? 'NOT NULL' : 'nullable'} in database`);
      if (!defaultMatches(c.default, a.default)) {
        diffs.push(`column ${where}: default ${describeExpectedDefault(c.default)} in schema, ${a.default ?? 'no default'} in database`);
      }
      if (a.identity) diffs.push(`column ${where} is an identity column in the database; Prisma uses sequences (SERIAL)`);
      if (a.generated) diffs.push(`column ${where} is a generated column in the database, which the schema cannot express`);
    }
    const expectedCols = new Set(t.columns.map((c) => c.name));
    for (const a of actual.columns) {
      if (!expectedCols.has(a.name)) diffs.push(`column ${q(t.name)}.${q(a.name)} exists in the database but not in the schema`);
    }
  }
  for (const t of db.tables) {
    if (!expectedTableNames.has(t.name) && !ignore.has(t.name)) diffs.push(`table ${q(t.name)} exists in the database but not in the schema`);
  }
  for (const r of db.otherRelations) diffs.push(`${r.kind} ${q(r.name)} exists in the database but not in the schema`);

  // Indexes, primary keys, unique indexes
  const relevant = (table: string): boolean => !ignore.has(table);
  const dbIndexes = new Map(db.indexes.filter((i) => relevant(i.table)).map((i) => [i.name, i]));
  const kindOf = (i: DbIndex): ExpectedIndex['kind'] => (i.primary ? 'primary' : i.unique ? 'unique' : 'normal');
  const label = (k: ExpectedIndex['kind']): string => (k === 'primary' ? 'primary key' : k === 'unique' ? 'unique index' : 'index');
  const matched = new Set<string>();
  for (const e of expected.indexes) {
    const a = dbIndexes.get(e.name);
    const what = `${label(e.kind)} ${q(e.name)} on ${q(e.table)}${cols(e.columns)}`;
    if (!a) {
      const sameColumns = db.indexes.find((i) => i.table === e.table && kindOf(i) === e.kind && same(i.columns, e.columns) && !matched.has(i.name));
      diffs.push(`${what} is missing from the database${sameColumns ? ` (the database has ${q(sameColumns.name)} on those columns)` : ''}`);
      continue;
    }
    matched.add(a.name);
    if (a.table !== e.table) diffs.push(`${what}: it is on table ${q(a.table)} in the database`);
    if (kindOf(a) !== e.kind) diffs.push(`${what}: it is a ${label(kindOf(a))} in the database`);
    if (!same(a.columns, e.columns)) diffs.push(`${what}: columns ${cols(a.columns)} in the database`);
    if (!same(a.descending, e.descending)) {
      const order = (d: readonly boolean[]): string => d.map((x) => (x ? 'DESC' : 'ASC')).join(', ');
      diffs.push(`${what}: sort order ${order(e.descending)} in schema, ${order(a.descending)} in database`);
    }
    if (a.method !== e.method) diffs.push(`${what}: method ${e.method} in schema, ${a.method} in database`);
    if (a.partial) diffs.push(`${what}: partial (has a WHERE clause) in the database`);
    if (e.kind === 'unique' && a.constraintType === 'u') {
      diffs.push(`${what}: a UNIQUE constraint in the database; Prisma creates a unique index (CREATE UNIQUE INDEX)`);
    }
  }
  for (const a of dbIndexes.values()) {
    if (!matched.has(a.name)) diffs.push(`${label(kindOf(a))} ${q(a.name)} on ${q(a.table)}${cols(a.columns)} exists in the database but not in the schema`);
  }

  // Foreign keys
  const dbFks = new Map(db.foreignKeys.filter((f) => relevant(f.table)).map((f) => [f.name, f]));
  const matchedFks = new Set<string>();
  for (const e of expected.foreignKeys) {
    const what = `foreign key ${q(e.name)} ${q(e.table)}${cols(e.columns)} -> ${q(e.referencedTable)}${cols(e.referencedColumns)}`;
    const a = dbFks.get(e.name);
    if (!a) {
      const sameColumns = db.foreignKeys.find((f) => f.table === e.table && same(f.columns, e.columns) && !matchedFks.has(f.name));
      diffs.push(`${what} is missing from the database${sameColumns ? ` (the database has ${q(sameColumns.name)} on those columns)` : ''}`);
      continue;
    }
    matchedFks.add(a.name);
    if (a.table !== e.table || !same(a.columns, e.columns)) diffs.push(`${what}: on ${q(a.table)}${cols(a.columns)} in the database`);
    if (a.referencedTable !== e.referencedTable || !same(a.referencedColumns, e.referencedColumns) || a.referencedSchema !== db.schema) {
      diffs.push(`${what}: references ${q(a.referencedSchema)}.${q(a.referencedTable)}${cols(a.referencedColumns)} in the database`);
    }
    if (a.onDelete !== e.onDelete) diffs.push(`${what}: ON DELETE ${e.onDelete} in schema, ON DELETE ${a.onDelete} in database`);
    if (a.onUpdate !== e.onUpdate) diffs.push(`${what}: ON UPDATE ${e.onUpdate} in schema, ON UPDATE ${a.onUpdate} in database`);
  }
  for (const a of dbFks.values()) {
    if (!matchedFks.has(a.name)) {
      diffs.push(
        `foreign key ${q(a.name)} ${q(a.table)}${cols(a.columns)} -> ${q(a.referencedTable)}${cols(a.referencedColumns)} exists in the database but not in the schema`,
      );
    }
  }

  for (const c of db.otherConstraints) {
    if (relevant(c.table)) diffs.push(`constraint ${q(c.name)} on ${q(c.table)} (${c.definition}) exists in the database but not in the schema`);
  }

  return diffs;
}
