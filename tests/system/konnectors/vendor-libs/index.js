// Test konnector for `run --record` / `--replay` with the real cozy-konnector-libs:
// requestFactory (request, cheerio, a cookie jar) logs in to the fake vendor of
// examples/vendor-bills/vendor (VENDOR_URL, https on 127.0.0.1), scrapes the
// bill list and saves the bills with their PDFs through saveBills. request
// honours HTTPS_PROXY and NO_PROXY by itself: nothing here knows of the proxy.
const fs = require('fs')
const path = require('path')

if (typeof global.__WEBPACK_PROVIDED_MANIFEST__ === 'undefined') {
  global.__WEBPACK_PROVIDED_MANIFEST__ = JSON.parse(fs.readFileSync(path.join(__dirname, 'manifest.konnector'), 'utf8'))
}

const { BaseKonnector, requestFactory, saveBills, log } = require('cozy-konnector-libs')

const VENDOR = process.env.VENDOR_URL
const jar = require('request').jar()
const rq = requestFactory({ cheerio: true, json: false, jar, userAgent: true })

// saveFiles pipes each download into its upload only after the metadata
// round trip; request refuses a late pipe when the whole body came first
// (request/request#887, see examples/libs-bills): hold it paused until piped.
function heldDownloads () {
  const dl = requestFactory({ json: false, cheerio: false, userAgent: true, jar })
  return options => {
    const d = dl(options)
    d.pause()
    const pipe = d.pipe
    d.pipe = function (dest, opts) {
      const out = pipe.call(this, dest, opts)
      this.resume()
      return out
    }
    return d
  }
}

async function start (fields) {
  log('info', 'Authenticating ...')
  const $login = await rq(`${VENDOR}/login`)
  const csrf = $login('input[name="csrf"]').val()
  const $after = await rq({
    uri: `${VENDOR}/login`,
    method: 'POST',
    form: { login: fields.login, password: fields.password, csrf },
    followAllRedirects: true
  })
  if ($after('.error').length > 0) throw new Error('LOGIN_FAILED')
  log('info', 'Successfully logged in')
  const bills = []
  $after('tr.bill').each((i, tr) => {
    const $tr = $after(tr)
    const date = $tr.find('.date').text()
    const amount = $tr.find('.amount').text()
    bills.push({
      vendor: 'vendorlibs',
      vendorRef: $tr.find('a').text(),
      date: new Date(date + 'T00:00:00.000Z'),
      amount: Number(amount),
      currency: 'EUR',
      fileurl: VENDOR + $tr.find('a').attr('href'),
      filename: `${date}_vendorlibs_${amount}EUR.pdf`
    })
  })
  log('info', `Found ${bills.length} bills`)
  await saveBills(bills, fields, {
    sourceAccount: this.accountId,
    sourceAccountIdentifier: fields.login,
    identifiers: ['vendorlibs'],
    fileIdAttributes: ['vendorRef'],
    requestInstance: heldDownloads()
  })
}

module.exports = new BaseKonnector(start)
