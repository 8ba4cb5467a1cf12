// The webhook peer of bench/webhooks_vs_pgbench.sh (issue 15): what a team would write
// with Express 5, stripe-node's constructEvent and a pg pool of 10. One transaction per
// event: store the event (its id unique, ON CONFLICT DO NOTHING), and, when it is new,
// one ledger row. Its own tables (peer_webhook_events, peer_ledger_entries, made by the
// script), so pledged's ledger trigger does not slow it down.
//
// Usage: PEER_PORT=... DATABASE_URL=... STRIPE_WEBHOOK_SECRET=... node webhook_peer.js
'use strict';

const express = require('express');
const Stripe = require('stripe');
const { Pool } = require('pg');

const stripe = new Stripe('sk_test_bench_peer_not_used');
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const secret = process.env.STRIPE_WEBHOOK_SECRET;
const app = express();

app.post('/v1/webhooks/stripe', express.raw({ type: 'application/json', limit: '1mb' }), async (req, res) => {
  let event;
  try {
    event = stripe.webhooks.constructEvent(req.body, req.headers['stripe-signature'], secret);
  } catch (err) {
    res.status(400).json({ error: { code: 'bad_signature', message: 'signature check failed' } });
    return;
  }
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const stored = await client.query(
      'INSERT INTO peer_webhook_events (id, type, payload) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING 1',
      [event.id, event.type, req.body.toString('utf8')]);
    if (stored.rowCount === 1 && event.type === 'checkout.session.completed') {
      const session = event.data.object;
      await client.query(
        'INSERT INTO peer_ledger_entries (pledge_id, amount, currency, stripe_object_id, stripe_event_id) ' +
          'VALUES ($1, $2, $3, $4, $5) ON CONFLICT (stripe_object_id) DO NOTHING',
        [session.metadata.pledge_id, session.amount_total, session.currency, session.payment_intent, event.id]);
    }
    await client.query('COMMIT');
    res.json({ received: true });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    res.status(503).json({ error: { code: 'unavailable', message: 'database error' } });
  } finally {
    client.release();
  }
});

const server = app.listen(Number(process.env.PEER_PORT), '127.0.0.1', () => {
  process.stderr.write(`peer listening on ${process.env.PEER_PORT}\n`);
});
// Node's default keep-alive timeout (5 s) is longer than any pause of the senders.
server.keepAliveTimeout = 65000;
process.on('SIGTERM', () => server.close(() => pool.end().then(() => process.exit(0))));
