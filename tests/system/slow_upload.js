// node slow_upload.js URL TOKEN N: N uploads at once, each a chunked body written in pieces on a
// timer (client-side pacing, like a vendor download piped through), over raw sockets so every byte
// is ours. Upload i: odd ones send Expect: 100-continue and wait for the 100; i % 3 == 0 first does
// POST /files/upload/metadata on the same keep-alive connection, as cozy-client does. Each must get
// 201 with the size and md5sum of what was sent. Prints one line per upload; exit 1 on any failure
// or when an upload is not answered within DEADLINE_MS (default 20000).
const crypto = require('crypto')
const net = require('net')

const [url, token, count] = process.argv.slice(2)
const u = new URL(url)
const deadline = Number(process.env.DEADLINE_MS || 20000)
const META = JSON.stringify({ data: { type: 'io.cozy.files.metadata', attributes: { n: 1 } } })

// Read one HTTP response (Content-Length bodies only) from the socket's buffered data.
function takeResponse(state) {
  const end = state.buf.indexOf('\r\n\r\n')
  if (end < 0) return null
  const head = state.buf.subarray(0, end).toString('latin1')
  const status = Number(head.split(' ')[1])
  if (status === 100) {
    state.buf = state.buf.subarray(end + 4)
    return { status, head, body: '' }
  }
  const m = /\r\ncontent-length: *(\d+)/i.exec(head)
  const len = m ? Number(m[1]) : 0
  if (state.buf.length < end + 4 + len) return null
  const body = state.buf.subarray(end + 4, end + 4 + len).toString('utf8')
  state.buf = state.buf.subarray(end + 4 + len)
  return { status, head, body }
}

function upload(i) {
  return new Promise(resolve => {
    const expect = i % 2 === 1
    const keepalive = i % 3 === 0
    const md5 = crypto.createHash('md5')
    let size = 0
    const state = { buf: Buffer.alloc(0), phase: keepalive ? 'metadata' : 'upload' }
    const s = net.connect(Number(u.port), u.hostname)
    let finished = false
    const done = (ok, why) => {
      if (finished) return
      finished = true
      clearTimeout(timer)
      s.destroy()
      console.log(`upload ${i}: ${ok ? 'ok' : 'FAIL'} ${why}`)
      resolve(ok)
    }
    const timer = setTimeout(() => done(false, `not answered within ${deadline} ms (phase ${state.phase})`), deadline)
    const auth = `Host: ${u.host}\r\nAuthorization: Bearer ${token}\r\n`
    let pieces = 0
    const writePiece = () => {
      if (pieces === 8) {
        s.write('0\r\n\r\n')
        return
      }
      // 1 byte to 64 KiB: some pieces fill MHD's read buffer, some are tiny.
      const len = pieces % 2 === 0 ? 1 + ((i * 7919 + pieces * 104729) % 65536) : 1 + pieces
      const data = crypto.randomBytes(len)
      md5.update(data)
      size += len
      pieces++
      s.write(Buffer.concat([Buffer.from(len.toString(16) + '\r\n'), data, Buffer.from('\r\n')]))
      setTimeout(writePiece, 5 + ((i + pieces) % 4) * 5)
    }
    const sendUpload = () => {
      state.phase = 'upload'
      s.write(
        `POST /files/?Type=file&Name=slow-${i}.bin HTTP/1.1\r\n${auth}Content-Type: application/octet-stream\r\n` +
          `Transfer-Encoding: chunked\r\n${expect ? 'Expect: 100-continue\r\n' : ''}\r\n`
      )
      if (!expect) writePiece()
    }
    s.on('connect', () => {
      if (keepalive)
        s.write(
          `POST /files/upload/metadata HTTP/1.1\r\n${auth}Content-Type: application/json\r\n` +
            `Content-Length: ${Buffer.byteLength(META)}\r\n\r\n${META}`
        )
      else sendUpload()
    })
    s.on('data', d => {
      state.buf = Buffer.concat([state.buf, d])
      let r
      while ((r = takeResponse(state)) !== null) {
        if (state.phase === 'metadata') {
          if (r.status !== 201) return done(false, `metadata: ${r.status} ${r.body}`)
          sendUpload()
        } else if (r.status === 100) {
          if (expect && pieces === 0) writePiece()
        } else {
          if (r.status !== 201) return done(false, `upload: ${r.status} ${r.body}`)
          const a = JSON.parse(r.body).data.attributes
          const want = md5.digest('base64')
          if (a.size !== String(size) || a.md5sum !== want)
            return done(false, `got size ${a.size} md5 ${a.md5sum}, sent ${size} ${want}`)
          return done(true, `${size} bytes`)
        }
      }
    })
    s.on('error', e => done(false, `socket: ${e.message}`))
    s.on('close', () => done(false, `connection closed in phase ${state.phase}`))
  })
}

Promise.all(Array.from({ length: Number(count) }, (_, i) => upload(i))).then(oks => {
  process.exit(oks.every(Boolean) ? 0 : 1)
})
