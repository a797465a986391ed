// A tiny stand-in for {{name}}'s API, so the konnector runs offline with
// `konnector-harness run` before you have written a line against the real
// one. It listens on 127.0.0.1 (a free port) inside the konnector process:
//   GET /bills           Authorization: Bearer <access token> -> 200 [bill…] | 401
//   GET /bills/<id>.pdf  same header                          -> 200 a small PDF | 401
// It accepts only the access token that the scenarios' canned refresh answer
// (fixtures/*/refresh/{{slug}}.json) hands out, so a run must refresh first.
// Once src/index.js talks to the real vendor, delete this file and the
// startDemoVendor() call.
const http = require('http')

const FRESH_TOKEN = 'demo-fresh-access-token'

const BILLS = [
  { id: 'B001', date: '2024-01-15', amount: 12.5, currency: 'EUR' },
  { id: 'B002', date: '2024-02-15', amount: 20, currency: 'EUR' }
]

// A valid one-page PDF saying "<text>", built by hand (offsets computed).
function pdfBytes(text) {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 144] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    null,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'
  ]
  const content = `BT /F1 18 Tf 24 60 Td (${text}) Tj ET`
  objects[3] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`
  let out = '%PDF-1.4\n'
  const offsets = []
  objects.forEach((body, i) => {
    offsets.push(out.length)
    out += `${i + 1} 0 obj\n${body}\nendobj\n`
  })
  const xref = out.length
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`
  for (const off of offsets) out += `${String(off).padStart(10, '0')} 00000 n \n`
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`
  return Buffer.from(out, 'latin1')
}

function send(res, status, type, body) {
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) })
  res.end(body)
}

function handle(req, res) {
  const url = req.url.split('?')[0]
  if (req.headers.authorization !== `Bearer ${FRESH_TOKEN}`) {
    return send(res, 401, 'application/json', '{"error":"invalid_token"}')
  }
  if (req.method === 'GET' && url === '/bills') {
    const list = BILLS.map(b => ({ ...b, pdf: `/bills/${b.id}.pdf` }))
    return send(res, 200, 'application/json', JSON.stringify(list))
  }
  const m = /^\/bills\/(B\d+)\.pdf$/.exec(url)
  if (req.method === 'GET' && m && BILLS.some(b => b.id === m[1])) {
    return send(res, 200, 'application/pdf', pdfBytes(`{{name}} bill ${m[1]}`))
  }
  return send(res, 404, 'application/json', '{"error":"not found"}')
}

// Start the demo vendor; resolves to {url, close}.
function startDemoVendor() {
  const server = http.createServer((req, res) => {
    req.resume()
    req.on('end', () => handle(req, res))
  })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () => server.close()
      })
    )
  })
}

module.exports = { startDemoVendor }
