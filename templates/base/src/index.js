// {{name}} konnector: logs in to the vendor, lists the bills, saves them (and
// their PDF files) in Cozy with cozy-konnector-libs.
//
// Run it locally with `konnector-harness run` (the fake cozy-stack, the
// default scenario in fixtures/default/), or every scenario with
// `konnector-harness run --all-scenarios`.
const {
  BaseKonnector,
  requestFactory,
  saveBills,
  log,
  errors
} = require('cozy-konnector-libs')
const { startDemoVendor } = require('./demo-vendor')

const VENDOR = '{{slug}}'

const request = requestFactory({
  // debug: true, // logs every vendor request and answer
  cheerio: false,
  json: true,
  jar: true
})

// saveFiles starts each PDF download, then asks the stack for the upload,
// and only then pipes the download into it. When the whole PDF arrived
// before that (a fast vendor, such as the demo one on 127.0.0.1), the
// `request` library refuses the late pipe (request/request#887) and the
// upload never starts. Holding each download paused until it is piped
// avoids that; the options are saveFiles' own defaults.
function heldDownloads() {
  const rq = requestFactory({ json: false, cheerio: false, userAgent: true, jar: true })
  return options => {
    const download = rq(options)
    download.pause()
    const pipe = download.pipe
    download.pipe = function (dest, opts) {
      const out = pipe.call(this, dest, opts)
      this.resume()
      return out
    }
    return download
  }
}

// `fields` is the account's auth (konnector-dev-config.json "fields" locally);
// `parameters` is COZY_PARAMETERS (the manifest's "parameters"). With no
// parameters.vendorUrl the konnector talks to the demo vendor of
// src/demo-vendor.js, so the default scenario runs offline.
async function start(fields, parameters) {
  let demo = null
  let baseUrl = parameters && parameters.vendorUrl
  if (!baseUrl) {
    demo = await startDemoVendor()
    baseUrl = demo.url
  }
  try {
    log('info', 'Authenticating ...')
    const token = await authenticate(baseUrl, fields.login, fields.password)
    await this.notifySuccessfulLogin()
    log('info', 'Successfully logged in')

    log('info', 'Fetching the list of bills')
    const bills = await request({
      uri: `${baseUrl}/bills`,
      headers: { Authorization: `Bearer ${token}` }
    })

    log('info', `Saving ${bills.length} bills`)
    await saveBills(bills.map(b => toBill(b, baseUrl, token)), fields, {
      sourceAccount: this.accountId,
      sourceAccountIdentifier: fields.login,
      requestInstance: heldDownloads(),
      fileIdAttributes: ['vendorRef'],
      identifiers: [VENDOR]
    })
  } finally {
    if (demo) demo.close()
  }
}

// Log in; a 401 from the vendor means wrong credentials: LOGIN_FAILED, which
// the stack shows to the user and never retries.
async function authenticate(baseUrl, login, password) {
  try {
    const answer = await request({
      method: 'POST',
      uri: `${baseUrl}/login`,
      body: { login, password }
    })
    return answer.token
  } catch (err) {
    if (err.statusCode === 401) throw new Error(errors.LOGIN_FAILED)
    log('error', err.message)
    throw new Error(errors.VENDOR_DOWN)
  }
}

// One vendor bill -> one io.cozy.bills document with its PDF.
function toBill(b, baseUrl, token) {
  return {
    vendor: VENDOR,
    vendorRef: b.id,
    date: new Date(`${b.date}T00:00:00.000Z`),
    amount: b.amount,
    currency: b.currency,
    fileurl: `${baseUrl}${b.pdf}`,
    filename: `${b.date}_${VENDOR}_${b.amount.toFixed(2)}${b.currency}.pdf`,
    requestOptions: { headers: { Authorization: `Bearer ${token}` } }
  }
}

module.exports = new BaseKonnector(start)
