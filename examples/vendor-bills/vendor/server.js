// A fake vendor website for examples/vendor-bills and the record/replay tests:
// "bills.example.com" over HTTPS with its own certificate, a login form with a
// CSRF token and a session cookie, a bill list page and PDF bills.
//   node server.js --cert CERT --key KEY [--port N] [--password PW] [--conns FILE]
// Prints its port once listening. --conns FILE: the number of connections it
// accepted, rewritten on each one (a replay must leave it unchanged).
'use strict'
const fs = require('fs')
const https = require('https')
const crypto = require('crypto')

const args = {}
for (let i = 2; i < process.argv.length; i += 2) args[process.argv[i].replace(/^--/, '')] = process.argv[i + 1]
const password = args.password || 'doh'
const sessions = new Set()
let conns = 0

const bills = [
  { id: 'B001', date: '2024-01-15', amount: '12.50' },
  { id: 'B002', date: '2024-02-15', amount: '20.00' }
]

// A small valid PDF naming the bill; any size asked with ?kb= (the benchmarks' big files).
function pdf (id, kb) {
  const text = `%PDF-1.4\n% bill ${id}\n1 0 obj << /Type /Catalog >> endobj\n`
  let body = Buffer.from(text)
  if (kb > 0) {
    const pad = Buffer.alloc(kb * 1024)
    for (let i = 0; i < pad.length; i++) pad[i] = (i * 131 + 7) & 0xff
    body = Buffer.concat([body, pad])
  }
  // Binary bytes on the second line, as real PDFs have them.
  return Buffer.concat([body, Buffer.from([0x25, 0xe2, 0xe3, 0xcf, 0xd3, 0x0a]), Buffer.from('%%EOF\n')])
}

function page (res, status, html, headers) {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', ...headers })
  res.end(`<!doctype html><html><body>${html}</body></html>`)
}

function session (req) {
  const m = /(?:^|;\s*)session=([^;]+)/.exec(req.headers.cookie || '')
  return m && sessions.has(m[1])
}

const server = https.createServer({ cert: fs.readFileSync(args.cert), key: fs.readFileSync(args.key) }, (req, res) => {
  let body = ''
  req.on('data', d => { body += d })
  req.on('end', () => {
    const url = new URL(req.url, 'https://bills.example.com')
    if (req.method === 'GET' && url.pathname === '/login') {
      return page(res, 200, '<form method="post" action="/login"><input type="hidden" name="csrf" value="csrf-7f3a">' +
        '<input name="login"><input name="password" type="password"></form>')
    }
    if (req.method === 'POST' && url.pathname === '/login') {
      const f = new URLSearchParams(body)
      if (f.get('csrf') !== 'csrf-7f3a' || f.get('password') !== password || !f.get('login')) {
        return page(res, 200, '<p class="error">Invalid credentials</p>')
      }
      const sid = crypto.randomBytes(12).toString('hex')
      sessions.add(sid)
      res.writeHead(302, { Location: '/bills', 'Set-Cookie': `session=${sid}; Path=/; HttpOnly; Secure` })
      return res.end()
    }
    if (!session(req)) return page(res, 401, '<p>Please log in</p>')
    if (req.method === 'GET' && url.pathname === '/bills') {
      const rows = (url.searchParams.get('page') === '2' ? [] : bills).map(b =>
        `<tr class="bill"><td class="date">${b.date}</td><td class="amount">${b.amount}</td>` +
        `<td><a href="/bills/${b.id}.pdf">${b.id}</a></td></tr>`).join('')
      return page(res, 200, `<h1>Welcome</h1><table>${rows}</table>`)
    }
    const m = /^\/bills\/(B\d+)\.pdf$/.exec(url.pathname)
    if (req.method === 'GET' && m) {
      const b = pdf(m[1], Number(url.searchParams.get('kb') || 0))
      res.writeHead(200, { 'Content-Type': 'application/pdf', 'Content-Length': b.length })
      return res.end(b)
    }
    page(res, 404, '<p>Not found</p>')
  })
})
server.on('connection', () => {
  conns++
  if (args.conns) fs.writeFileSync(args.conns, String(conns))
})
server.listen(Number(args.port || 0), '127.0.0.1', () => console.log(server.address().port))
process.on('SIGTERM', () => process.exit(0))
