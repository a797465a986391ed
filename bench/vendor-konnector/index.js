// The konnector of bench/vendor-bench: logs in to the fake vendor of
// examples/vendor-bills, then BENCH=latency: N sequential GET /bills on one
// kept-alive connection, the median time printed; BENCH=big: one PDF of
// PDF_KB kB streamed and hashed. Either way it prints the harness's (its
// parent's) resident memory at the start and its peak at the end.
'use strict'
const fs = require('fs')
const http = require('http')
const https = require('https')
const net = require('net')
const tls = require('tls')
const crypto = require('crypto')

const VENDOR = process.env.VENDOR_URL
const out = (message) => console.log(JSON.stringify({ type: 'info', message }))

class TunnelAgent extends https.Agent {
  constructor (proxy) {
    super({ keepAlive: true, maxSockets: 1 })
    this.proxy = new URL(proxy)
  }

  createConnection (options, done) {
    const target = `${options.host}:${options.port}`
    const req = http.request({ host: this.proxy.hostname, port: this.proxy.port, method: 'CONNECT', path: target })
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) return done(new Error(`CONNECT ${target}: ${res.statusCode}`))
      done(null, tls.connect({ socket, host: options.host, servername: net.isIP(options.host) ? undefined : options.host }))
    })
    req.on('error', done)
    req.end()
  }
}

const proxy = process.env.HTTPS_PROXY
const agent = proxy ? new TunnelAgent(proxy) : new https.Agent({ keepAlive: true, maxSockets: 1 })

function get (path, headers, sink) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, VENDOR), { method: 'GET', agent, headers }, res => {
      res.on('data', d => sink && sink(d))
      res.on('end', () => resolve(res))
    })
    req.on('error', reject)
    req.end()
  })
}

function memory (field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(fs.readFileSync(`/proc/${process.ppid}/status`, 'utf8'))
  return m ? Number(m[1]) : -1
}

async function main () {
  const rss0 = memory('VmRSS')
  const form = 'login=bench%40example.com&password=doh&csrf=csrf-7f3a'
  const login = await new Promise((resolve, reject) => {
    const req = https.request(new URL('/login', VENDOR), {
      method: 'POST',
      agent,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': form.length }
    }, res => { res.resume(); res.on('end', () => resolve(res)) })
    req.on('error', reject)
    req.end(form)
  })
  const cookie = String(login.headers['set-cookie']).split(';')[0]
  if (process.env.BENCH === 'latency') {
    const n = Number(process.env.N || 300)
    for (let i = 0; i < 20; i++) await get('/bills', { Cookie: cookie })
    const times = []
    for (let i = 0; i < n; i++) {
      const t = process.hrtime.bigint()
      await get('/bills', { Cookie: cookie })
      times.push(Number(process.hrtime.bigint() - t) / 1e6)
    }
    times.sort((a, b) => a - b)
    out(`BENCH latency_ms=${times[Math.floor(n / 2)].toFixed(3)}`)
  } else {
    const h = crypto.createHash('sha256')
    let bytes = 0
    await get(`/bills/B001.pdf?kb=${process.env.PDF_KB || 0}`, { Cookie: cookie }, d => { bytes += d.length; h.update(d) })
    out(`BENCH bytes=${bytes} sha256=${h.digest('hex')}`)
  }
  out(`BENCH harness_rss_kb=${rss0} harness_peak_kb=${memory('VmHWM')}`)
  agent.destroy()
}

main().catch(e => { console.log(JSON.stringify({ type: 'critical', message: e.message })); process.exit(1) })
