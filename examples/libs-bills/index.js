// Example konnector for konnector-harness: saves two bills (with their PDF
// files), one more file, some events, a contract and account data through the
// real cozy-konnector-libs 5.13.0. Its "vendor" is a tiny HTTP server it
// starts itself on 127.0.0.1, serving the PDFs in ./vendor.
const fs = require('fs')
const http = require('http')
const path = require('path')

// What the webpack build of a konnector does: bake the manifest in, so the
// library knows its slug (cozy-konnector-libs src/libs/manifest.js).
if (typeof global.__WEBPACK_PROVIDED_MANIFEST__ === 'undefined') {
  global.__WEBPACK_PROVIDED_MANIFEST__ = JSON.parse(
    fs.readFileSync(path.join(__dirname, 'manifest.konnector'), 'utf8')
  )
}

const {
  BaseKonnector,
  saveBills,
  saveFiles,
  hydrateAndFilter,
  addData,
  updateOrCreate,
  log,
  requestFactory
} = require('cozy-konnector-libs')

// saveFiles starts a file's download, then POSTs /files/upload/metadata, and
// only after that answer pipes the download into the upload. request-promise
// reads the vendor's body as soon as it arrives: when all of it came before
// the pipe, request refuses the late pipe with an 'error' nobody hears
// (request/request#887) and the upload waits forever without sending a byte.
// A remote vendor is slower than that round trip; this in-process one is
// not, whenever the stack answers slowly (a loaded machine: 4 of 12 parallel
// runs hung). So each download is held paused until the upload pipes it.
// Same options as saveFiles' own default request instance.
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

// Serve ./vendor/<name> with the headers a real site sends; resolves to the base URL.
function startVendor() {
  const server = http.createServer((req, res) => {
    const name = path.basename(decodeURIComponent(req.url.split('?')[0]))
    const file = path.join(__dirname, 'vendor', name)
    if (!/^[\w.-]+\.pdf$/.test(name) || !fs.existsSync(file)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      return res.end('not found')
    }
    const body = fs.readFileSync(file)
    res.writeHead(200, {
      'Content-Type': 'application/pdf',
      'Content-Length': body.length,
      Server: 'libsbills-vendor'
    })
    res.end(body)
  })
  return new Promise((resolve, reject) => {
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, base: `http://127.0.0.1:${server.address().port}` })
    )
  })
}

async function start(fields) {
  const { server, base } = await startVendor()
  try {
    const options = {
      sourceAccount: this.accountId,
      sourceAccountIdentifier: fields.login,
      requestInstance: heldDownloads()
    }
    log('info', 'Saving bills')
    const bills = [
      {
        vendor: 'libsbills',
        vendorRef: 'B001',
        date: new Date('2024-01-15T00:00:00.000Z'),
        amount: 12.5,
        currency: 'EUR',
        fileurl: `${base}/B001.pdf`,
        filename: '2024-01-15_libsbills_12.50EUR.pdf'
      },
      {
        vendor: 'libsbills',
        vendorRef: 'B002',
        date: new Date('2024-02-15T00:00:00.000Z'),
        amount: 20.0,
        currency: 'EUR',
        fileurl: `${base}/B002.pdf`,
        filename: '2024-02-15_libsbills_20.00EUR.pdf'
      }
    ]
    await saveBills(bills, fields, {
      ...options,
      identifiers: ['libsbills'],
      fileIdAttributes: ['vendorRef']
    })

    log('info', 'Saving the contract file')
    // contentType forced: the upload goes out chunked (cozy-konnector-libs src/libs/saveFiles.js).
    await saveFiles(
      [
        {
          fileurl: `${base}/contract.pdf`,
          filename: 'contract.pdf',
          vendorRef: 'C001'
        }
      ],
      fields,
      { ...options, fileIdAttributes: ['vendorRef'], contentType: 'application/pdf' }
    )

    const events = [
      { eventId: 'e1', kind: 'login', date: '2024-01-01' },
      { eventId: 'e2', kind: 'download', date: '2024-01-02' }
    ]
    const fresh = await hydrateAndFilter(events, 'io.cozy.libsbills.events', {
      keys: ['eventId']
    })
    await addData(fresh, 'io.cozy.libsbills.events')

    await updateOrCreate(
      [{ contractId: 'C001', label: 'Main contract' }],
      'io.cozy.libsbills.contracts',
      ['contractId']
    )
    await this.saveAccountData({ lastBill: 'B002' }, { merge: true })
  } finally {
    server.close()
  }
}

module.exports = new BaseKonnector(start)
