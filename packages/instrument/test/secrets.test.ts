import { describe, it } from 'vitest';
import assert from 'node:assert/strict';
import { describeError, scrubUrls } from '../src/secrets.ts';

describe('what may be printed about a secret-bearing value', () => {
  it('URLs inside a message keep scheme, host, port and path; userinfo, query and fragment go', () => {
    assert.equal(
      scrubUrls('request to http://jane:hunter2@10.0.0.1:4318/v1/traces?sig=abc123 failed; retry https://h.example.com/p?token=t#frag later'),
      'request to http://10.0.0.1:4318/v1/traces failed; retry https://h.example.com/p later',
    );
    assert.equal(scrubUrls('connect ECONNREFUSED 127.0.0.1:4318'), 'connect ECONNREFUSED 127.0.0.1:4318');
  });

  it('an error: name, code or HTTP status, scrubbed message; nothing else (no response body)', () => {
    const http = Object.assign(new Error('Internal Server Error'), { name: 'OTLPExporterError', code: 500, data: 'backend said: key hunter2 rejected' });
    assert.equal(describeError(http), 'OTLPExporterError: HTTP 500: Internal Server Error');
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' });
    assert.equal(describeError(refused), 'Error: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:4318');
    assert.equal(describeError(new TypeError('bad https://u:p@h/x?q=1')), 'TypeError: bad https://h/x');
    assert.equal(describeError('a string with hunter2'), 'string');
    assert.equal(describeError(undefined), 'no error given');
  });
});
