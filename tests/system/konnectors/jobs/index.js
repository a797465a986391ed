// Test konnector for the jobs tests: plain node, no dependency. It reads its account and
// records the run in com.example.jobstest.runs; the account's login says how it ends:
//   ok        → done
//   badlogin  → critical LOGIN_FAILED (the stack does not retry)
//   flaky     → error VENDOR_DOWN (the stack retries once)
'use strict'
const http = require('http')
const fs = require('fs')
const out = (type, message) => console.log(JSON.stringify({ type, message }))
const u = new URL(process.env.COZY_URL)

function call (method, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request({ hostname: u.hostname, port: u.port, path, method,
      headers: { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS, 'Content-Type': 'application/json' } }, res => {
      let d = ''
      res.on('data', c => { d += c })
      res.on('end', () => res.statusCode < 300 ? resolve(JSON.parse(d)) : reject(new Error(res.statusCode + ' ' + d)))
    })
    req.on('error', reject)
    req.end(body ? JSON.stringify(body) : undefined)
  })
}

async function main () {
  const fields = JSON.parse(process.env.COZY_FIELDS)
  const account = await call('GET', '/data/io.cozy.accounts/' + fields.account)
  let payload = process.env.COZY_PAYLOAD || ''
  if (payload.startsWith('@')) payload = fs.readFileSync(payload.slice(1), 'utf8')
  const login = (account.auth && account.auth.login) || ''
  await call('POST', '/data/com.example.jobstest.runs/', {
    login,
    job_id: process.env.COZY_JOB_ID,
    trigger_id: process.env.COZY_TRIGGER_ID || null,
    manual: process.env.COZY_JOB_MANUAL_EXECUTION,
    folder_to_save: fields.folder_to_save || null,
    payload_length: payload.length,
    payload_head: payload.slice(0, 40)
  })
  out('info', 'ran for ' + login)
  if (login === 'badlogin') out('critical', 'LOGIN_FAILED')
  else if (login === 'flaky') out('error', 'VENDOR_DOWN')
}

main().catch(e => { out('critical', e.message); process.exit(1) })
