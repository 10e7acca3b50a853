import { graphErrors } from './graph-error.ts';

/** One entry of a `fields` parameter; `sub` is the `{...}` expansion, if any. */
export type FieldSelection = { name: string; sub: FieldSelection[] | null };

/** Splits on top-level commas, ignoring those inside `{}` and `()`. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '{' || char === '(') depth++;
    else if (char === '}' || char === ')') depth = Math.max(0, depth - 1);
    else if (char === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((part) => part.trim()).filter((part) => part !== '');
}

/**
 * Parses `fields=a,b{c,d},insights.date_preset(last_7d){spend}`. Modifiers such as `.limit(5)` are
 * accepted and ignored (meta-graph-api.md 2.2 allows the fake to ignore expansion details).
 */
export function parseFields(text: string): FieldSelection[] {
  return splitTopLevel(text).map((part) => {
    const name = /^[A-Za-z0-9_]+/.exec(part)?.[0] ?? part;
    const open = part.indexOf('{');
    const sub = open >= 0 && part.endsWith('}') ? parseFields(part.slice(open + 1, -1)) : null;
    return { name, sub };
  });
}

/** The `fields` parameter, or null when absent or empty. */
export function fieldsParam(params: Record<string, string>): FieldSelection[] | null {
  const raw = params.fields;
  if (raw === undefined || raw.trim() === '') return null;
  return parseFields(raw);
}

/** Reads one field of a node; `undefined` leaves the key out, as Meta omits empty values. */
export type FieldGetter<T> = (node: T, sub: FieldSelection[] | null) => unknown;
export type NodeType<T> = {
  name: string;
  fields: Record<string, FieldGetter<T>>;
  defaults: readonly string[];
};

/** Throws (#100) for the first requested field the node type does not have. */
export function validateFields<T>(type: NodeType<T>, selection: FieldSelection[] | null): void {
  for (const field of selection ?? []) {
    if (!Object.hasOwn(type.fields, field.name)) throw graphErrors.nonexistingField(field.name, type.name);
  }
}

/** The node's requested fields (or the type's defaults), with `id` always present as Graph does. */
export function project<T>(
  type: NodeType<T>,
  node: T,
  selection: FieldSelection[] | null,
): Record<string, unknown> {
  validateFields(type, selection);
  const wanted = selection ?? type.defaults.map((name) => ({ name, sub: null }));
  const out: Record<string, unknown> = {};
  for (const field of wanted) {
    const getter = type.fields[field.name];
    if (!getter) continue;
    const value = getter(node, field.sub);
    if (value !== undefined) out[field.name] = value;
  }
  const idGetter = type.fields.id;
  if (!('id' in out) && idGetter) out.id = idGetter(node, null);
  return out;
}
