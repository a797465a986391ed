// A small OAuth provider for the system tests, on 127.0.0.1 (port printed on stdout).
//   GET  /authorize  → 302 to redirect_uri?code=CODE123&state=… (400 without response_type=code)
//   POST|GET /token  → checks client credentials per token_mode (MODE env: form, basic, get) and grant_type:
//        authorization_code: code CODE123 → tokens; any other code → 400 invalid_grant
//        refresh_token: revoked → 400 invalid_grant; RT-500 → 500 text; RT-slow → never answers;
//                       RT-garbage → 200 with a body that is not JSON; RT-cut → closes mid-answer;
//                       else 200 with a new access token and a rotated refresh token
//   POST /revoke?token=T → that refresh token is now revoked
//   GET  /me         → 200 {"user":"me"} with Authorization: Bearer <an access token this provider issued>, else 401
// Every token request is appended to $PROVIDER_LOG as a JSON line.
const http = require('http');
const fs = require('fs');
const mode = process.env.MODE || 'form';
const revoked = new Set();
const issued = new Set();
let n = 0;
function answer(res, status, body) {
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/html' : 'application/json' });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}
const server = http.createServer((req, res) => {
  let raw = '';
  req.on('data', (d) => (raw += d));
  req.on('end', () => {
    const u = new URL(req.url, 'http://x');
    if (u.pathname === '/authorize') {
      const q = u.searchParams;
      if (q.get('response_type') !== 'code' || q.get('client_id') !== 'CID') return answer(res, 400, { error: 'invalid_request' });
      const to = new URL(q.get('redirect_uri'));
      to.searchParams.set('code', 'CODE123');
      to.searchParams.set('state', q.get('state'));
      res.writeHead(302, { location: to.toString() });
      return res.end();
    }
    if (u.pathname === '/me') {
      const t = (req.headers.authorization || '').replace(/^Bearer /, '');
      return issued.has(t) ? answer(res, 200, { user: 'me' }) : answer(res, 401, { error: 'invalid_token' });
    }
    if (u.pathname === '/revoke') {
      revoked.add(u.searchParams.get('token'));
      return answer(res, 200, { ok: true });
    }
    if (u.pathname !== '/token') return answer(res, 404, { error: 'not_found' });
    const p = req.method === 'GET' ? u.searchParams : new URLSearchParams(raw);
    if (process.env.PROVIDER_LOG)
      fs.appendFileSync(process.env.PROVIDER_LOG, JSON.stringify({ method: req.method, headers: req.headers, params: Object.fromEntries(p) }) + '\n');
    let id = p.get('client_id'), secret = p.get('client_secret');
    if (mode === 'basic') {
      const h = req.headers.authorization || '';
      [id, secret] = Buffer.from(h.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (p.get('client_secret')) return answer(res, 400, { error: 'invalid_request', error_description: 'secret in body' });
    }
    if ((mode === 'get') !== (req.method === 'GET')) return answer(res, 405, { error: 'invalid_request' });
    if (id !== 'CID' || secret !== 'CSECRET') return answer(res, 401, { error: 'invalid_client' });
    if (p.get('grant_type') === 'authorization_code') {
      if (p.get('code') !== 'CODE123') return answer(res, 400, { error: 'invalid_grant', error_description: 'bad code' });
      issued.add('AT-from-code-0123456789');
      return answer(res, 200, { access_token: 'AT-from-code-0123456789', refresh_token: 'RT-first', expires_in: 3600, token_type: 'Bearer' });
    }
    if (p.get('grant_type') !== 'refresh_token') return answer(res, 400, { error: 'unsupported_grant_type' });
    const rt = p.get('refresh_token');
    if (rt === 'RT-slow') return; // never answers
    if (rt === 'RT-500') return answer(res, 500, '<html>provider down</html>');
    if (rt === 'RT-garbage') return answer(res, 200, 'not json at all');
    if (rt === 'RT-cut') {
      // a 200 that promises 100 bytes, sends 16 and closes the connection
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"access_token":');
      return setImmediate(() => res.socket.destroy());
    }
    if (revoked.has(rt)) return answer(res, 400, { error: 'invalid_grant', error_description: 'revoked' });
    n++;
    issued.add('AT-' + n);
    return answer(res, 200, { access_token: 'AT-' + n, refresh_token: 'RT-' + n, expires_in: 3600, token_type: 'Bearer' });
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
