// Test konnector: prints its environment (as an info event) and its account document.
'use strict'
const http = require('http')
const out = (type, message) => console.log(JSON.stringify({ type, message }))
/* global __WEBPACK_PROVIDED_MANIFEST__ */
out('info', 'SLUG ' + (typeof __WEBPACK_PROVIDED_MANIFEST__ === 'undefined' ? 'undefined' : __WEBPACK_PROVIDED_MANIFEST__.slug))
out('info', 'ENV ' + JSON.stringify(Object.keys(process.env)))
const fields = JSON.parse(process.env.COZY_FIELDS)
const u = new URL(process.env.COZY_URL)
http.get({ hostname: u.hostname, port: u.port, path: '/data/io.cozy.accounts/' + fields.account,
  headers: { Authorization: 'Bearer ' + process.env.COZY_CREDENTIALS } }, res => {
  let d = ''
  res.on('data', c => { d += c })
  res.on('end', () => { out('info', 'ACCOUNT ' + d); require('fs').writeFileSync('account.out', d) })
}).on('error', e => { out('critical', e.message); process.exit(1) })
