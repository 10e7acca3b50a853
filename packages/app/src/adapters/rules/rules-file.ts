import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseEngineRules, type EngineRules, type RuleIssue } from '@roas/core';
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import { UserError } from '../../shared/errors.ts';

/** The documented default rules file shipped with the app; it parses to `DEFAULT_RULES`. */
export const DEFAULT_RULES_FILE = fileURLToPath(
  new URL('../../../rules/default-rules.yaml', import.meta.url),
);

/**
 * One problem in a rules file, located in the source (1-based line and column). `path` is the rules
 * path (empty for the root), or null for a YAML syntax error, which has none.
 */
export type RulesFileIssue = { line: number; column: number; path: string | null; message: string };

/** A rules file that cannot be used: its message lists `file:line:column: path: reason` per issue. */
export class RulesFileError extends UserError {
  constructor(
    readonly fileName: string,
    readonly issues: readonly RulesFileIssue[],
    summary = 'is not a valid rules file',
  ) {
    super(
      [
        `${fileName}: ${summary}`,
        ...issues.map((issue) => `  ${fileName}:${issue.line}:${issue.column}: ${describe(issue)}`),
      ].join('\n'),
    );
    this.name = 'RulesFileError';
  }
}

function describe(issue: RulesFileIssue): string {
  if (issue.path === null) return issue.message;
  return `${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`;
}

/**
 * Finds where a path points in the YAML source. A scalar value is shown at the value; a collection,
 * an unknown key or a value that is missing is shown at the nearest key that exists.
 */
function locate(doc: Document, issue: RuleIssue): number {
  let node: unknown = doc.contents;
  let keyOffset: number | null = null;
  let resolved = true;
  for (const segment of issue.segments) {
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (pair === undefined) {
        resolved = false;
        break;
      }
      keyOffset = rangeStart(pair.key) ?? keyOffset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
      // A list item has no key: its own start stands in for one.
      keyOffset = rangeStart(node) ?? keyOffset;
    } else {
      resolved = false;
      break;
    }
  }
  if (isAlias(node)) node = node.resolve(doc);
  const valueOffset = rangeStart(node);
  if (resolved && issue.code !== 'unknown_key' && isScalar(node) && valueOffset !== null) {
    return valueOffset;
  }
  return keyOffset ?? valueOffset ?? 0;
}

function rangeStart(node: unknown): number | null {
  if (typeof node !== 'object' || node === null || !('range' in node)) return null;
  const range = (node as { range?: readonly number[] | null }).range;
  return range?.[0] ?? null;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

/**
 * Parses a rules file's text. YAML syntax errors and every issue core finds are reported in one
 * `RulesFileError` with the file name, line, column, path and reason.
 */
export function parseRulesYaml(text: string, fileName: string): EngineRules {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const position = (offset: number): { line: number; column: number } => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };
  if (doc.errors.length > 0) {
    throw new RulesFileError(
      fileName,
      doc.errors.map((error) => ({
        ...position(error.pos[0]),
        path: null,
        message: firstLine(error.message),
      })),
      'is not valid YAML',
    );
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // Only alias abuse fails here (yaml caps alias expansion against "billion laughs" files).
    throw new RulesFileError(fileName, [], `cannot be read as data (${firstLine((error as Error).message)})`);
  }
  const result = parseEngineRules(value);
  if (result.ok) return result.rules;
  const issues = result.issues
    .map((issue) => ({ ...position(locate(doc, issue)), path: issue.path, message: issue.message }))
    .sort((a, b) => a.line - b.line || a.column - b.column);
  throw new RulesFileError(fileName, issues);
}

/** Reads and parses a rules file; a missing or unreadable file is a `RulesFileError` too. */
export async function loadRulesFile(path: string): Promise<EngineRules> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new RulesFileError(path, [], `cannot read the rules file (${code})`);
  }
  return parseRulesYaml(text, path);
}
