// Example konnector for `run --record` / `run --replay`, in plain Node (no npm
// dependency): logs in to its vendor (https://bills.example.com, a login form
// with a CSRF token, a session cookie), reads the bill list, downloads each
// PDF and saves it with an io.cozy.bills document in the fake stack.
// fixtures/default/vendor.har holds the vendor's side: `konnector-harness run`
// replays it, so this runs anywhere, offline. vendor/ is the fake site it was
// recorded from (see README.md).
'use strict'
const http = require('http')
const https = require('https')
const net = require('net')
const tls = require('tls')

const VENDOR = process.env.VENDOR_URL || 'https://bills.example.com'

function log (type, message) {
  console.log(JSON.stringify({ time: new Date().toJSON(), type, namespace: 'vendorbills', message }))
}

// Node's https module knows nothing of proxies: this agent opens a CONNECT
// tunnel through HTTPS_PROXY, as proxy-aware agents (https-proxy-agent) do.
class TunnelAgent extends https.Agent {
  constructor (proxy) {
    super({ keepAlive: true })
    this.proxy = new URL(proxy)
  }

  createConnection (options, done) {
    const target = `${options.host}:${options.port}`
    const req = http.request({
      host: this.proxy.hostname,
      port: this.proxy.port,
      method: 'CONNECT',
      path: target,
      headers: { Host: target }
    })
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) return done(new Error(`proxy refused CONNECT ${target}: ${res.statusCode}`))
      const servername = net.isIP(options.host) ? undefined : options.host
      done(null, tls.connect({ socket, host: options.host, servername }))
    })
    req.on('error', done)
    req.end()
  }
}

const proxy = process.env.HTTPS_PROXY || process.env.https_proxy
const agent = proxy ? new TunnelAgent(proxy) : new https.Agent({ keepAlive: true })

// One request to the vendor; resolves with {status, headers, body (Buffer)}.
function vendor (method, path, { body, headers } = {}) {
  const url = new URL(path, VENDOR)
  return new Promise((resolve, reject) => {
    const req = https.request(url, { method, agent, headers: { 'User-Agent': 'vendorbills/1.0', ...headers } }, res => {
      const chunks = []
      res.on('data', c => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    if (body) req.write(body)
    req.end()
  })
}

// One request to the stack with the job's token; resolves with the parsed JSON answer.
function stack (method, path, body, contentType) {
  const base = new URL(process.env.COZY_URL)
  return new Promise((resolve, reject) => {
    const req = http.request({
      hostname: base.hostname,
      port: base.port,
      path,
      method,
      headers: {
        Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS,
        Accept: 'application/json',
        'Content-Type': contentType || 'application/json'
      }
    }, res => {
      let data = ''
      res.setEncoding('utf8')
      res.on('data', chunk => { data += chunk })
      res.on('end', () => {
        if (res.statusCode >= 400) return reject(new Error(`${method} ${path}: ${res.statusCode} ${data}`))
        try { resolve(JSON.parse(data)) } catch (e) { reject(e) }
      })
    })
    req.on('error', reject)
    if (body) req.write(Buffer.isBuffer(body) ? body : JSON.stringify(body))
    req.end()
  })
}

async function main () {
  const fields = JSON.parse(process.env.COZY_FIELDS || '{}')
  const account = await stack('GET', '/data/io.cozy.accounts/' + encodeURIComponent(fields.account))
  const auth = account.auth || {}

  log('info', 'Authenticating ...')
  let res
  try {
    res = await vendor('GET', '/login')
  } catch (e) {
    log('error', `vendor unreachable: ${e.message}`)
    log('critical', 'VENDOR_DOWN')
    process.exit(1)
  }
  if (res.status !== 200) {
    log('error', `GET /login: ${res.status}`)
    log('critical', 'VENDOR_DOWN')
    process.exit(1)
  }
  const csrf = /name="csrf" value="([^"]+)"/.exec(res.body.toString())[1]
  const form = new URLSearchParams({ login: auth.login, password: auth.password, csrf }).toString()
  res = await vendor('POST', '/login', {
    body: form,
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': Buffer.byteLength(form) }
  })
  if (res.status !== 302) {
    log('critical', 'LOGIN_FAILED')
    process.exit(1)
  }
  const cookie = String(res.headers['set-cookie']).split(';')[0]
  log('info', 'Successfully logged in')

  const list = await vendor('GET', '/bills', { headers: { Cookie: cookie } })
  const rows = [...list.body.toString().matchAll(
    /<td class="date">([^<]+)<\/td><td class="amount">([^<]+)<\/td><td><a href="([^"]+)">([^<]+)<\/a>/g)]
  if (process.env.EXTRA_PAGE) {
    // What a konnector changed since the recording does: a request the HAR does not have.
    const more = await vendor('GET', '/bills?page=2', { headers: { Cookie: cookie } })
    if (more.status !== 200) log('warn', `GET /bills?page=2: ${more.status}`)
  }
  log('info', `Found ${rows.length} bills`)

  for (const [, date, amount, href, id] of rows) {
    const pdf = await vendor('GET', href + (process.env.PDF_KB ? `?kb=${process.env.PDF_KB}` : ''), {
      headers: { Cookie: cookie }
    })
    if (pdf.status !== 200) throw new Error(`GET ${href}: ${pdf.status}`)
    const name = `${date}_vendorbills_${amount}EUR.pdf`
    const dir = fields.folder_to_save || 'io.cozy.files.root-dir'
    const file = await stack('POST', `/files/${dir}?Type=file&Name=${encodeURIComponent(name)}`, pdf.body,
      'application/pdf')
    await stack('POST', '/data/io.cozy.bills/', {
      vendor: 'vendorbills',
      vendorRef: id,
      date: new Date(date + 'T00:00:00.000Z').toJSON(),
      amount: Number(amount),
      currency: 'EUR',
      invoice: `io.cozy.files:${file.data.id}`
    })
  }
  log('info', `Saved ${rows.length} bills`)
  agent.destroy()
}

main().catch(err => {
  log('critical', err.message)
  process.exit(1)
})
