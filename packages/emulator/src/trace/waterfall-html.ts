// One self-contained HTML page with every invocation's waterfall: inline CSS and script, no network.
// Rows are rendered here (so the page reads without script); the script only shows a clicked span's
// attributes, events and links from the data embedded in the page.
import { flatten, type InvocationTrace } from './invocation-trace.ts';
import { readableLog, formatMs } from './waterfall-text.ts';

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => escapes[char]!);

export function renderWaterfallHtml(traces: readonly InvocationTrace[], title = 'lambda-emulator traces'): string {
  const details: Record<string, unknown> = {};
  const sections = traces.map((trace, index) => {
    const total = Math.max(trace.endMs - trace.startMs, 0.001);
    const rows = flatten(trace.roots).map((node) => {
      const key = `${index}:${node.span.spanId}`;
      const { span } = node;
      details[key] = {
        name: span.name,
        kind: span.kind,
        status: span.status,
        statusMessage: span.statusMessage,
        service: span.service,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        durationMs: span.endMs - span.startMs,
        attributes: span.attributes,
        events: span.events.map((event) => ({ ...event, offsetMs: event.atMs - span.startMs })),
        links: span.links,
      };
      const left = ((span.startMs - trace.startMs) / total) * 100;
      const width = Math.max(((span.endMs - span.startMs) / total) * 100, 0.3);
      const logs = node.logs
        .map((entry) => `<div class="log-row" style="padding-left:${1 + (node.depth + 1) * 1.2}em">${escapeHtml(readableLog(entry.line))}</div>`)
        .join('');
      return `<div class="span-row${span.status === 'error' ? ' error' : ''}" tabindex="0" data-key="${escapeHtml(key)}" data-span-id="${escapeHtml(span.spanId)}" data-parent-span-id="${escapeHtml(span.parentSpanId)}" data-depth="${node.depth}">
  <span class="name" style="padding-left:${0.3 + node.depth * 1.2}em">${span.status === 'error' ? '<b class="mark">!</b> ' : ''}${escapeHtml(span.name)}</span>
  <span class="kind">${span.kind}</span><span class="status">${span.status}</span>
  <span class="track"><span class="bar" style="left:${left.toFixed(3)}%;width:${width.toFixed(3)}%"></span></span>
  <span class="timing">+${formatMs(span.startMs - trace.startMs)} ${formatMs(span.endMs - span.startMs)}</span>
</div>${logs}`;
    });
    const loose = trace.looseLogs.map((entry) => `<div class="log-row">${escapeHtml(readableLog(entry.line))}</div>`).join('');
    const heading = `${trace.requestId} · ${trace.status}${trace.errorType ? ` ${trace.errorType}` : ''} · ${formatMs(trace.endMs - trace.startMs)}`;
    const origin = trace.source === 'otlp' ? `trace ${trace.traceId}` : 'platform timings only (no spans received)';
    return `<section class="invocation${trace.status === 'success' ? '' : ' failed'}" data-request-id="${escapeHtml(trace.requestId)}">
<h2>${escapeHtml(heading)} <small>${escapeHtml(origin)}</small></h2>
${rows.join('\n')}
${loose}
</section>`;
  });
  // `<` is escaped so that no string in the data can close the script element.
  const data = JSON.stringify(details).replace(/</g, '\\u003c');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>
body { font: 13px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; margin: 0; display: flex; color: #1f2328; }
main { flex: 1; padding: 12px 16px; overflow: auto; }
aside { width: 34%; min-width: 280px; border-left: 1px solid #d0d7de; padding: 12px 16px; background: #f6f8fa; overflow: auto; height: 100vh; box-sizing: border-box; position: sticky; top: 0; }
h1 { font-size: 16px; margin: 0 0 8px; }
h2 { font-size: 13px; margin: 18px 0 6px; }
h2 small { color: #656d76; font-weight: normal; }
section.failed h2 { color: #cf222e; }
.span-row { display: grid; grid-template-columns: minmax(180px, 30%) 70px 50px 1fr 130px; align-items: center; gap: 6px; padding: 2px 0; cursor: pointer; border-radius: 3px; }
.span-row:hover, .span-row:focus { background: #eaeef2; outline: none; }
.span-row.selected { background: #ddf4ff; }
.span-row.error { color: #cf222e; font-weight: bold; }
.span-row .name { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kind, .status, .timing { color: #656d76; font-size: 12px; }
.span-row.error .status { color: #cf222e; }
.timing { text-align: right; }
.track { position: relative; height: 12px; background: #eaeef2; border-radius: 2px; }
.bar { position: absolute; top: 0; bottom: 0; background: #0969da; border-radius: 2px; min-width: 2px; }
.span-row.error .bar { background: #cf222e; }
.log-row { color: #656d76; font-size: 12px; white-space: pre-wrap; border-left: 2px solid #d0d7de; margin-left: 0.4em; }
#details table { border-collapse: collapse; width: 100%; }
#details td { border-top: 1px solid #d0d7de; padding: 3px 4px; vertical-align: top; word-break: break-all; }
#details td:first-child { color: #656d76; white-space: nowrap; }
#details h3 { font-size: 13px; margin: 14px 0 4px; }
</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
<p>${traces.length} invocation(s). Click a span for its attributes, events and links.</p>
${sections.join('\n')}
</main>
<aside id="details"><p>No span selected.</p></aside>
<script id="span-data" type="application/json">${data}</script>
<script>
(() => {
  const spans = JSON.parse(document.getElementById('span-data').textContent);
  const panel = document.getElementById('details');
  const el = (tag, text, cls) => { const node = document.createElement(tag); if (text !== undefined) node.textContent = text; if (cls) node.className = cls; return node; };
  const table = (entries) => {
    const t = el('table');
    for (const [key, value] of entries) { const row = t.insertRow(); row.insertCell().textContent = key; row.insertCell().textContent = typeof value === 'string' ? value : JSON.stringify(value); }
    return t;
  };
  const show = (row) => {
    document.querySelectorAll('.span-row.selected').forEach((other) => other.classList.remove('selected'));
    row.classList.add('selected');
    const span = spans[row.dataset.key];
    panel.replaceChildren();
    panel.append(el('h2', span.name), table([['kind', span.kind], ['status', span.status + (span.statusMessage ? ': ' + span.statusMessage : '')], ['duration', span.durationMs.toFixed(3) + ' ms'], ['service', span.service], ['trace id', span.traceId], ['span id', span.spanId], ['parent', span.parentSpanId || '(root)']]));
    const attributes = Object.entries(span.attributes);
    panel.append(el('h3', 'Attributes (' + attributes.length + ')'), table(attributes));
    const events = el('div', undefined, 'events');
    for (const event of span.events) { events.append(el('h4', event.name + ' at +' + event.offsetMs.toFixed(3) + ' ms'), table(Object.entries(event.attributes))); }
    panel.append(el('h3', 'Events (' + span.events.length + ')'), events);
    const links = el('div', undefined, 'links');
    for (const link of span.links) { links.append(el('h4', link.traceId + ' / ' + link.spanId), table(Object.entries(link.attributes))); }
    panel.append(el('h3', 'Links (' + span.links.length + ')'), links);
  };
  document.querySelectorAll('.span-row').forEach((row) => {
    row.addEventListener('click', () => show(row));
    row.addEventListener('keydown', (event) => { if (event.key === 'Enter') show(row); });
  });
})();
</script>
</body></html>
`;
}
