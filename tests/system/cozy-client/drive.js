// What an app does with the real cozy-client against `konnector-harness serve`: create the account,
// a konnector trigger, launch it and poll the job until it ends. Prints one JSON line.
'use strict'
const CozyClient = require('cozy-client').default

async function main () {
  const client = new CozyClient({ uri: process.env.COZY_URL.replace(/\/$/, ''), token: process.env.COZY_APP_TOKEN })
  const { data: account } = await client.save({
    _type: 'io.cozy.accounts', account_type: 'jobstest', auth: { login: process.argv[2] || 'ok' }
  })
  const triggers = client.collection('io.cozy.triggers')
  const { data: trigger } = await triggers.create({
    type: '@cron', arguments: '0 0 0 1 1 *', worker: 'konnector',
    message: { account: account._id, konnector: 'jobstest' }
  })
  const { data: job } = await triggers.launch(trigger)
  const launched = job.state
  const end = await client.collection('io.cozy.jobs').waitFor(job._id, { delay: 200 })
  const { data: found } = await triggers.find({ worker: 'konnector' })
  console.log(JSON.stringify({
    launched, state: end.state, error: end.error || null, job: job._id, trigger: trigger._id,
    status: found.find(t => t._id === trigger._id).current_state.status
  }))
}

main().catch(e => { console.error(e && e.stack ? e.stack : e); process.exit(1) })
