import type { StepResult } from './results';

// A hand-written SVG of latency over load: offered rate (msg/s) across, latency (ms, log
// scale) up; end-to-end p50 / p99 and ack p99 of the scaled layout, end-to-end p99 of the
// embedded mode, with the 100 ms target and the 250 ms hold limit as dashed lines.

interface Series {
  name: string;
  color: string;
  points: { x: number; y: number | null }[];
  dash?: string;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function latencyChart(opts: { title: string; scaled: StepResult[]; embedded: StepResult[] }): string {
  const W = 760;
  const H = 440;
  const m = { left: 70, right: 190, top: 50, bottom: 60 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const series: Series[] = [
    { name: 'scaled e2e p50', color: '#2563eb', points: opts.scaled.map((s) => ({ x: s.rate, y: s.e2e.p50 })) },
    { name: 'scaled e2e p99', color: '#dc2626', points: opts.scaled.map((s) => ({ x: s.rate, y: s.e2e.p99 })) },
    { name: 'scaled ack p99', color: '#16a34a', points: opts.scaled.map((s) => ({ x: s.rate, y: s.ack.p99 })) },
    {
      name: 'embedded e2e p99',
      color: '#9333ea',
      dash: '6 3',
      points: opts.embedded.map((s) => ({ x: s.rate, y: s.e2e.p99 })),
    },
  ];
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const xMax = Math.max(100, ...xs) * 1.05;
  const yMin = 0.5;
  const yMax = 20_000;
  const x = (v: number) => m.left + (v / xMax) * pw;
  const y = (v: number) => {
    const c = Math.min(yMax, Math.max(yMin, v));
    return m.top + ph - ((Math.log10(c) - Math.log10(yMin)) / (Math.log10(yMax) - Math.log10(yMin))) * ph;
  };
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="#fff"/>`,
    `<text x="${m.left}" y="28" font-size="15" font-weight="600">${esc(opts.title)}</text>`,
  );
  // Grid and axes.
  for (const v of [1, 10, 100, 1000, 10000]) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end" fill="#374151">${v >= 1000 ? `${v / 1000} s` : `${v} ms`}</text>`,
    );
  }
  const step = xMax > 2500 ? 1000 : xMax > 1200 ? 500 : xMax > 400 ? 100 : 50;
  for (let v = 0; v <= xMax; v += step) {
    out.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${m.top}" y2="${m.top + ph}" stroke="#f3f4f6"/>`,
      `<text x="${x(v)}" y="${m.top + ph + 18}" text-anchor="middle" fill="#374151">${v}</text>`,
    );
  }
  out.push(
    `<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + ph}" stroke="#111827"/>`,
    `<line x1="${m.left}" x2="${m.left + pw}" y1="${m.top + ph}" y2="${m.top + ph}" stroke="#111827"/>`,
    `<text x="${m.left + pw / 2}" y="${H - 18}" text-anchor="middle" fill="#111827">offered rate (webhooks/s)</text>`,
    `<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#111827">latency (log scale)</text>`,
  );
  for (const [v, label] of [
    [100, 'e2e p99 target 100 ms'],
    [250, 'hold limit 250 ms'],
  ] as const) {
    out.push(
      `<line x1="${m.left}" x2="${m.left + pw}" y1="${y(v)}" y2="${y(v)}" stroke="#6b7280" stroke-dasharray="4 4"/>`,
      `<text x="${m.left + pw - 4}" y="${y(v) - 4}" text-anchor="end" fill="#6b7280" font-size="11">${label}</text>`,
    );
  }
  // Series.
  series.forEach((s, i) => {
    const pts = s.points.filter((p): p is { x: number; y: number } => p.y !== null);
    if (pts.length > 1) {
      out.push(
        `<polyline fill="none" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''} points="${pts
          .map((p) => `${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
          .join(' ')}"/>`,
      );
    }
    for (const p of pts)
      out.push(`<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${s.color}"/>`);
    const ly = m.top + 10 + i * 20;
    out.push(
      `<line x1="${m.left + pw + 16}" x2="${m.left + pw + 40}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''}/>`,
      `<text x="${m.left + pw + 46}" y="${ly + 4}" fill="#111827">${esc(s.name)}</text>`,
    );
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
