import { forwardRef, useImperativeHandle, useRef } from 'react';

export type YamlEditorHandle = { goToLine: (line: number, column?: number) => void };

type Props = {
  value: string;
  onChange: (value: string) => void;
  errorLines: ReadonlySet<number>;
  readOnly?: boolean;
  label: string;
};

const LINE_HEIGHT = 20;

/** A plain textarea with a line-number gutter that marks the lines with problems. */
export const YamlEditor = forwardRef<YamlEditorHandle, Props>(function YamlEditor(
  { value, onChange, errorLines, readOnly, label },
  ref,
) {
  const textarea = useRef<HTMLTextAreaElement>(null);
  const gutter = useRef<HTMLDivElement>(null);
  const lineCount = value.split('\n').length;

  useImperativeHandle(ref, () => ({
    goToLine(line, column = 1) {
      const area = textarea.current;
      if (!area) return;
      const lines = value.split('\n');
      let offset = 0;
      for (let i = 0; i < line - 1 && i < lines.length; i++) offset += (lines[i]?.length ?? 0) + 1;
      const lineLength = lines[line - 1]?.length ?? 0;
      area.focus();
      area.setSelectionRange(offset + Math.max(0, column - 1), offset + lineLength);
      area.scrollTop = Math.max(0, (line - 5) * LINE_HEIGHT);
    },
  }));

  return (
    <div className="flex h-[60vh] min-h-80 overflow-hidden rounded-lg border border-slate-300 bg-white font-mono text-[13px] focus-within:border-slate-500">
      <div
        ref={gutter}
        aria-hidden
        className="shrink-0 overflow-hidden border-r border-slate-200 bg-slate-50 py-2 text-right text-slate-400 select-none"
      >
        {Array.from({ length: lineCount }, (_, i) => (
          <div
            key={i}
            style={{ height: LINE_HEIGHT, lineHeight: `${LINE_HEIGHT}px` }}
            className={`px-2 ${errorLines.has(i + 1) ? 'bg-rose-100 font-semibold text-rose-700' : ''}`}
          >
            {i + 1}
          </div>
        ))}
      </div>
      <textarea
        ref={textarea}
        aria-label={label}
        value={value}
        readOnly={readOnly}
        spellCheck={false}
        autoCapitalize="off"
        autoCorrect="off"
        wrap="off"
        onChange={(e) => onChange(e.target.value)}
        onScroll={(e) => {
          if (gutter.current) gutter.current.scrollTop = e.currentTarget.scrollTop;
        }}
        style={{ lineHeight: `${LINE_HEIGHT}px` }}
        className="min-w-0 flex-1 resize-none overflow-auto px-3 py-2 whitespace-pre text-slate-900 outline-none"
      />
    </div>
  );
});
