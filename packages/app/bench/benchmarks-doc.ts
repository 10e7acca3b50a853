// Writes one benchmark's section of docs/benchmarks.md between its markers, formatted as the repository
// formats Markdown, so `npm run check` stays green after a run.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { format } from 'prettier';

const DOC = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));

/** Replaces the text between `<!-- bench:<name>:start -->` and its end marker (appends a section if absent). */
export async function writeBenchmarkSection(name: string, heading: string, content: string): Promise<void> {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const body = `${start}\n${content}\n${end}`;
  const doc = readFileSync(DOC, 'utf8');
  const from = doc.indexOf(start);
  const to = doc.indexOf(end);
  const updated =
    from >= 0 && to > from
      ? `${doc.slice(0, from)}${body}${doc.slice(to + end.length)}`
      : `${doc.trimEnd()}\n\n## ${heading}\n\n${body}\n`;
  writeFileSync(DOC, await format(updated, { parser: 'markdown', singleQuote: true, printWidth: 110 }));
}
