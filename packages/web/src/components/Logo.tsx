/** The ROAS Pilot mark: a rising line on a dark tile, sized by the caller. */
export function Logo({ className }: { className: string }) {
  return (
    <svg aria-hidden viewBox="0 0 32 32" className={className}>
      <rect width="32" height="32" rx="7" fill="#1e293b" />
      <path
        d="M7 22 L13 15 L18 19 L25 9"
        fill="none"
        stroke="#34d399"
        strokeWidth="3"
        strokeLinecap="round"
        strokeLinejoin="round"
      />
    </svg>
  );
}
