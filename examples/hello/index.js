// The konnector-harness example: a konnector in plain Node (no npm dependency)
// that does what a cozy-konnector-libs konnector does against the stack.
'use strict'
const http = require('http')

// cozy-logger's production format: one JSON object per line on stdout.
function log (type, message) {
  console.log(JSON.stringify({ time: new Date().toJSON(), type, namespace: 'hello', message }))
}

// One request to the stack with the job's token; resolves with the parsed JSON answer.
function stack (method, path, body) {
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
        'Content-Type': 'application/json'
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
    if (body) req.write(JSON.stringify(body))
    req.end()
  })
}

async function main () {
  log('debug', 'Preparing konnector...')
  const fields = JSON.parse(process.env.COZY_FIELDS || '{}')
  const account = await stack('GET', '/data/io.cozy.accounts/' + encodeURIComponent(fields.account))
  const auth = account.auth || {}
  log('info', `Authenticating as ${auth.login} ...`)
  if (auth.password === 'wrong') {
    log('warn', 'Error from konnector')
    log('critical', 'LOGIN_FAILED')
    process.exit(1)
  }
  log('info', 'Successfully logged in')
  for (const text of ['Hello', 'Bonjour']) {
    const saved = await stack('POST', '/data/io.cozy.hello.greetings/', { text, login: auth.login, date: new Date().toJSON() })
    log('debug', `saved ${saved.id}`)
  }
  log('info', 'Saved 2 greetings')
  log('debug', 'The connector has been run')
}

main().catch(err => {
  log('warn', 'Error from konnector')
  log('critical', err.message)
  process.exit(1)
})
