/** A tiny SVG line of recent values (throughput). */
export function Sparkline({ values, label, width = 80, height = 18 }: { values: number[]; label: string; width?: number; height?: number }) {
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? width / (values.length - 1) : width;
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 1 - (v / max) * (height - 2)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} role="img" aria-label={label}>
      {values.length > 1 && <polyline points={points} fill="none" stroke="currentColor" strokeWidth="1.2" />}
    </svg>
  );
}
