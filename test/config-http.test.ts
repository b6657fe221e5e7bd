/**
 * Found by a user: an http:// PCE address on the network was accepted, and
 * the API secret went over the wire in clear text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { plainHttpToNetwork } from '../src/config/validate.js';

test('http:// is refused for every host but loopback', () => {
  const cases: [string, boolean][] = [
    ['http://192.0.2.2:18999', true],
    ['http://pce.example.com:8443', true],
    ['http://10.0.0.1', true],
    ['http://128.0.0.1', true],
    ['http://127.0.0.1:8080', false],
    ['http://127.1.2.3', false],
    ['http://localhost:8443', false],
    ['http://[::1]:8443', false],
    ['https://pce.example.com:8443', false],
    ['https://192.0.2.2', false],
  ];
  assert.deepEqual(cases.map(([url]) => [url, plainHttpToNetwork(url)]), cases);
});
