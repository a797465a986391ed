// {{name}} konnector (OAuth): lists the bills with the account's access
// token, saves them (and their PDF files) in Cozy with cozy-konnector-libs.
// When the vendor refuses the token (401), it asks the stack to refresh it
// (POST /accounts/{{slug}}/<account id>/refresh: the stack holds the client
// secret and the refresh token) and tries once more.
//
// Run it locally with `konnector-harness run` (the fake cozy-stack, the
// default scenario in fixtures/default/), or every scenario with
// `konnector-harness run --all-scenarios`.
const {
  BaseKonnector,
  requestFactory,
  saveBills,
  cozyClient,
  log,
  errors
} = require('cozy-konnector-libs')
const { startDemoVendor } = require('./demo-vendor')

const VENDOR = '{{slug}}'

const request = requestFactory({
  // debug: true, // logs every vendor request and answer
  cheerio: false,
  json: true,
  jar: false
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

// `fields` holds the account's auth and oauth (access_token, refresh_token);
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
    let token = fields.access_token
    let bills
    try {
      bills = await listBills(baseUrl, token)
    } catch (err) {
      if (err.statusCode !== 401) throw err
      log('info', 'The vendor refused the access token, refreshing it')
      token = await refreshAccessToken(this.accountId)
      bills = await listBills(baseUrl, token)
    }

    log('info', `Saving ${bills.length} bills`)
    await saveBills(bills.map(b => toBill(b, baseUrl, token)), fields, {
      sourceAccount: this.accountId,
      sourceAccountIdentifier: VENDOR,
      requestInstance: heldDownloads(),
      fileIdAttributes: ['vendorRef'],
      identifiers: [VENDOR]
    })
  } finally {
    if (demo) demo.close()
  }
}

function listBills(baseUrl, token) {
  return request({
    uri: `${baseUrl}/bills`,
    headers: { Authorization: `Bearer ${token}` }
  })
}

// Ask the stack for a new access token. A refusal (the refresh token was
// revoked or expired) means the user must reconnect the account.
async function refreshAccessToken(accountId) {
  try {
    const account = await cozyClient.fetchJSON(
      'POST',
      `/accounts/${VENDOR}/${accountId}/refresh`
    )
    // cozy-client-js flattens the JSON:API answer: the attributes are on top.
    const oauth = (account.attributes || account).oauth || {}
    if (!oauth.access_token) throw new Error('no access_token in the refresh answer')
    return oauth.access_token
  } catch (err) {
    log('warn', `Token refresh failed: ${err.message}`)
    throw new Error(errors.USER_ACTION_NEEDED_OAUTH_OUTDATED)
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
