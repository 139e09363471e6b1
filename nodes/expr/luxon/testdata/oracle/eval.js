// Oracle: evaluates n8n expressions with n8n-workflow 1.120.0 + luxon 3.4.4.
// stdin: JSON {tz, now, cases:[{expr, json}]}; stdout: JSON results.
const { DateTime, Duration, Interval, Settings } = require(require.resolve('luxon', {paths: [require.resolve('n8n-workflow')]}));
const ext = require('n8n-workflow/dist/cjs/extensions/expression-extension.js');
const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const nowMs = input.now || Date.parse('2024-05-20T12:34:56.789Z');
Settings.now = () => nowMs;
function enc(v) {
  if (v === undefined) return { t: 'undefined' };
  if (v === null) return { t: 'null' };
  if (DateTime.isDateTime(v)) return { t: 'DateTime', v: v.toString() };
  if (Duration.isDuration(v)) return { t: 'Duration', v: v.toString() };
  if (Interval.isInterval(v)) return { t: 'Interval', v: v.toString() };
  if (v instanceof Date) return { t: 'Date', v: isNaN(v) ? 'Invalid Date' : v.toISOString() };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { t: 'number', v: 'NaN' };
    if (!Number.isFinite(v)) return { t: 'number', v: String(v) };
    return { t: 'number', v };
  }
  if (typeof v === 'object') return { t: 'json', v: JSON.stringify(v) };
  return { t: typeof v, v };
}
const out = [];
for (const c of input.cases) {
  Settings.defaultZone = c.tz || input.tz || 'UTC';
  try {
    let code = c.expr;
    const r = ext.extendTransform(code);
    if (r && r.code) code = r.code.trim().replace(/;$/, '');
    const fn = new Function('$json', 'DateTime', 'Duration', 'Interval', 'extend', 'extendOptional', '$now', '$today', 'return (' + code + ');');
    const now = DateTime.now();
    const v = fn(c.json || {}, DateTime, Duration, Interval, ext.extend, ext.extendOptional, now, now.startOf('day'));
    out.push(enc(v));
  } catch (e) {
    out.push({ t: 'error', v: String(e && e.message) });
  }
}
console.log(JSON.stringify(out, null, 0));
