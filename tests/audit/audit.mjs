// Runs graphql-http's GraphQL-over-HTTP server audits against the URL given as the only
// argument and prints one JSON summary line (tests/test_http_spec.py reads it).
import { auditServer } from 'graphql-http';

const url = process.argv[2];
const results = await auditServer({ url });
const count = (status) => results.filter((r) => r.status === status).length;
console.log(
  JSON.stringify({
    total: results.length,
    ok: count('ok'),
    warn: count('warn'),
    error: count('error'),
    problems: results
      .filter((r) => r.status !== 'ok')
      .map(({ id, name, status, reason }) => ({ id, name, status, reason })),
  }),
);
