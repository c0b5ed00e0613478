// The config schema VS Code serves (jsonValidation): media/mnist.config.schema.json plus the Keras
// spellings of keras-aliases.ts, accepted without being offered. The build writes it to dist/;
// ajv checks configs after their Keras names are renamed, against the schema as it is.
//
// VS Code's JSON language service proposes a value from the `enum`/`const` of a property's schema
// and of its allOf/anyOf/oneOf branches, and a field name from `properties` only; it validates
// `if` schemas and `patternProperties` too, and hover reads the enum descriptions of every schema
// that matched (vscode-json-languageservice, jsonCompletion.ts, jsonHover.ts). So a Keras value
// sits in an `if` (matched and described, never proposed) and a Keras field name in
// `patternProperties`.
import { type AliasPlace, FIELD_ALIASES, kerasNote, VALUE_ALIASES, type ValueField } from './keras-aliases';

type Schema = Record<string, unknown>;

/** Where each place's object schema and each value field's schemas are, as JSON pointers' segments. */
const PLACES: Record<Exclude<AliasPlace, 'layer'>, string[]> = {
  data: ['properties', 'data'],
  training: ['properties', 'training'],
  earlyStopping: ['properties', 'training', 'properties', 'earlyStopping'],
  reduceLrOnPlateau: ['properties', 'training', 'properties', 'reduceLrOnPlateau'],
};
const VALUES: Record<Exclude<ValueField, 'layerType'>, string[][]> = {
  optimizer: [['properties', 'training', 'properties', 'optimizer']],
  loss: [['properties', 'training', 'properties', 'loss']],
  monitor: [
    ['properties', 'training', 'properties', 'earlyStopping', 'properties', 'monitor'],
    ['properties', 'training', 'properties', 'reduceLrOnPlateau', 'properties', 'monitor'],
  ],
};
const LAYER_TYPE = ['definitions', 'layer', 'properties', 'type'];

/** The schema with the Keras spellings accepted; `schema` is not changed. */
export function withKerasSpellings(schema: object): Schema {
  const out = JSON.parse(JSON.stringify(schema)) as Schema;
  for (const [field, paths] of Object.entries(VALUES) as [ValueField, string[][]][]) {
    for (const path of paths) acceptValues(at(out, path), VALUE_ALIASES[field]);
  }
  acceptValues(at(out, LAYER_TYPE), VALUE_ALIASES.layerType);
  acceptLayerTypeAliases(out);
  for (const [place, path] of Object.entries(PLACES) as [Exclude<AliasPlace, 'layer'>, string[]][]) {
    acceptFieldNames(at(out, path), FIELD_ALIASES[place], path);
  }
  const definitions = at(out, ['definitions']);
  for (const [name, definition] of Object.entries(definitions)) {
    const properties = (definition as Schema).properties as Schema | undefined;
    if (name !== 'layer' && properties && 'type' in properties) acceptFieldNames(definition as Schema, FIELD_ALIASES.layer, ['definitions', name]);
  }
  return out;
}

/** {enum: own} → {anyOf: [{enum: own}, {if: {enum: keras}, then: true, else: false}]}; the rest of the schema stays. */
function acceptValues(field: Schema, aliases: Readonly<Record<string, string>>): void {
  const own = field.enum as unknown[] | undefined;
  if (!own) throw new Error(`the schema has no enum where the Keras ${Object.keys(aliases).join(', ')} go`);
  const keras = Object.keys(aliases).filter((k) => own.includes(aliases[k]));
  const ownSchema: Schema = { enum: own };
  for (const key of ['enumDescriptions', 'markdownEnumDescriptions']) {
    if (key in field) {
      ownSchema[key] = field[key];
      delete field[key];
    }
  }
  delete field.enum;
  const kerasSchema = { enum: keras, markdownEnumDescriptions: keras.map((k) => kerasNote(k, aliases[k])) };
  field.anyOf = [ownSchema, { if: kerasSchema, then: true, else: false }];
}

/** The per-type branches of a layer: `if type is "dense"` becomes `if type is "dense" or "Dense"`. */
function acceptLayerTypeAliases(schema: Schema): void {
  const layer = at(schema, ['definitions', 'layer']);
  const kerasOf = (own: string) => Object.keys(VALUE_ALIASES.layerType).filter((k) => VALUE_ALIASES.layerType[k] === own);
  // The `if` schemas too: VS Code proposes values from every schema that matched the layer object.
  const types = [...(layer.allOf as Schema[]).map((branch) => at(branch, ['if', 'properties', 'type']))];
  for (const [, definition] of Object.entries(at(schema, ['definitions']))) {
    const type = ((definition as Schema).properties as Schema | undefined)?.type as Schema | undefined;
    if (type && typeof type.const === 'string') types.push(type);
  }
  for (const type of types) {
    const own = type.const as string;
    if (kerasOf(own).length === 0) continue;
    delete type.const;
    type.anyOf = [{ const: own }, { if: { enum: kerasOf(own) }, then: true, else: false }];
  }
}

/** A Keras field name is a patternProperty pointing at the project's field; `required` takes either. */
function acceptFieldNames(object: Schema, aliases: Readonly<Record<string, string>>, path: string[]): void {
  const properties = object.properties as Schema;
  const patterns: Schema = { ...((object.patternProperties as Schema | undefined) ?? {}) };
  const required = (object.required as string[] | undefined) ?? [];
  const either: Schema[] = [];
  const eitherOwn = new Set<string>();
  for (const [keras, own] of Object.entries(aliases)) {
    if (!(own in properties)) continue;
    const pointer = `#/${[...path, 'properties', own].join('/')}`;
    const value = path[0] === 'definitions' ? { anyOf: [{ $ref: pointer }, { type: 'array', minItems: 2, maxItems: 2, items: { $ref: pointer } }] } : { $ref: pointer };
    patterns[`^${keras}$`] = { allOf: [{ markdownDescription: `${kerasNote(keras, own)}${path[0] === 'definitions' ? ' (a pair such as [3, 3] works too)' : ''}.` }, value] };
    if (required.includes(own)) {
      either.push({ anyOf: [{ required: [own] }, { required: [keras] }] });
      eitherOwn.add(own);
    }
  }
  if (Object.keys(patterns).length > 0) object.patternProperties = patterns;
  if (either.length > 0) {
    object.required = required.filter((r) => !eitherOwn.has(r));
    object.allOf = [...((object.allOf as Schema[] | undefined) ?? []), ...either];
  }
}

function at(schema: Schema, path: string[]): Schema {
  let node: unknown = schema;
  for (const key of path) node = (node as Schema)[key];
  if (typeof node !== 'object' || node === null) throw new Error(`the schema has nothing at ${path.join('/')}`);
  return node as Schema;
}
