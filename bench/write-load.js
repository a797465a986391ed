// The write load of bench/write-load: C keep-alive connections against `serve` for S seconds, each
// looping over POST (new doc), PUT (update one of its docs with the rev it last got), GET (one of its
// docs) and _find (on an index made first); prints counts, errors, p50/p99 latency and the server's
// RSS every second, then writes every acknowledged write (id and rev) to acked.json.
// Usage: node write-load.js URL TOKEN PID SECONDS CONNS OUTDIR
const http = require('http');
const fs = require('fs');
const [url, token, pid, secs, conns, outDir] = process.argv.slice(2);
const base = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(conns) });
const DT = 'io.cozy.bench';

function call(method, path, body) {
  return new Promise((resolve) => {
    const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const t0 = process.hrtime.bigint();
    const req = http.request({ host: base.hostname, port: base.port, method, path, agent,
      headers: Object.assign({ Authorization: 'Bearer ' + token, Accept: 'application/json' },
        data ? { 'Content-Type': 'application/json', 'Content-Length': data.length } : {}) }, (res) => {
      const parts = [];
      res.on('data', (d) => parts.push(d));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(parts).toString(),
        ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    });
    req.on('error', (e) => resolve({ status: 0, body: String(e), ms: Number(process.hrtime.bigint() - t0) / 1e6 }));
    if (data) req.write(data);
    req.end();
  });
}

function rssKB() {
  try { return Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]); } catch (e) { return 0; }
}

(async () => {
  const idx = await call('POST', `/data/${DT}/_index`, { index: { fields: ['n'] } });
  if (idx.status !== 200) { console.error('index:', idx.status, idx.body); process.exit(1); }
  const end = Date.now() + Number(secs) * 1000;
  const lat = [];
  const counts = { POST: 0, PUT: 0, GET: 0, FIND: 0 };
  const errors = [];
  const acked = new Map(); // id -> last acknowledged rev
  const rss = [];
  const sampler = setInterval(() => rss.push(rssKB()), 1000);
  let n = 0;
  async function worker(w) {
    const mine = [];
    while (Date.now() < end) {
      const r = Math.random();
      let kind, res;
      if (mine.length === 0 || r < 0.25) {
        kind = 'POST';
        res = await call('POST', `/data/${DT}/`, { n: n++, w, text: 'x'.repeat(64) });
        if (res.status === 201) { const j = JSON.parse(res.body); mine.push(j.id); acked.set(j.id, j.rev); }
      } else if (r < 0.5) {
        kind = 'PUT';
        const id = mine[Math.floor(Math.random() * mine.length)];
        res = await call('PUT', `/data/${DT}/${id}`, { _id: id, _rev: acked.get(id), n: n++, w, text: 'y'.repeat(64) });
        if (res.status === 200) acked.set(id, JSON.parse(res.body).rev);
      } else if (r < 0.9) {
        kind = 'GET';
        res = await call('GET', `/data/${DT}/${mine[Math.floor(Math.random() * mine.length)]}`);
      } else {
        kind = 'FIND';
        res = await call('POST', `/data/${DT}/_find`, { selector: { n: { $gt: Math.floor(Math.random() * n) } }, limit: 10 });
      }
      counts[kind]++;
      lat.push(res.ms);
      const ok = kind === 'POST' ? 201 : 200;
      if (res.status !== ok && errors.length < 1000) errors.push(`${kind} ${res.status} ${res.body.slice(0, 200)}`);
      else if (res.status !== ok) errors.length++;
    }
  }
  await Promise.all(Array.from({ length: Number(conns) }, (_, w) => worker(w)));
  clearInterval(sampler);
  lat.sort((a, b) => a - b);
  const q = (p) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))].toFixed(2);
  const total = lat.length;
  const warm = rss.slice(Math.ceil(rss.length / 5)); // after the first fifth
  console.log(`requests   ${total} in ${secs} s (${(total / secs).toFixed(0)}/s): POST ${counts.POST}, PUT ${counts.PUT}, GET ${counts.GET}, _find ${counts.FIND}`);
  console.log(`errors     ${errors.length}${errors.length ? ': ' + errors.slice(0, 3).join(' | ') : ''}`);
  console.log(`latency    p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${lat[lat.length - 1].toFixed(2)} ms`);
  if (warm.length)
    console.log(`serve RSS  after warm-up: first ${warm[0]} KB, last ${warm[warm.length - 1]} KB, max ${Math.max(...warm)} KB (peak over the run ${Math.max(...rss)} KB); it grows with the ${acked.size} documents stored (${((warm[warm.length - 1] - warm[0]) * 1024 / Math.max(1, acked.size * 0.8)).toFixed(0)} bytes per document added after warm-up)`);
  fs.writeFileSync(`${outDir}/acked.json`, JSON.stringify(Object.fromEntries(acked)));
  agent.destroy();
})();
