// Test shim, loaded first by a copy of examples/libs-bills/index.js: each POST /files/upload/metadata
// leaves only once the in-process vendor has sent the file being saved. cozy-konnector-libs 5.13.0
// starts the download before that POST and pipes it into the upload after it, so this makes the
// vendor's whole answer come first, every time: what happens by chance when the stack is slow (load).
const http = require('http')

let served = 0 // vendor answers fully written
let announced = 0 // upload/metadata POSTs so far
const waiting = [] // held POSTs: {n, go}

function release() {
  while (waiting.length > 0 && waiting[0].n <= served) waiting.shift().go()
}

const createServer = http.createServer
http.createServer = function (handler) {
  return createServer.call(this, (req, res) => {
    res.on('finish', () => {
      served++
      release()
    })
    handler(req, res)
  })
}

const request = http.request
http.request = function (...args) {
  const req = request.apply(this, args)
  const opts = args[0]
  if (typeof opts === 'object' && String(opts.path || '').startsWith('/files/upload/metadata')) {
    const n = ++announced
    const write = req.write
    const end = req.end
    const queued = []
    req.write = (...a) => {
      queued.push(a)
      return true
    }
    req.end = (...a) => {
      waiting.push({
        n,
        go: () => {
          for (const w of queued) write.apply(req, w)
          end.apply(req, a)
        }
      })
      release()
      return req
    }
  }
  return req
}
