"""Verifier examples on the affiliate's postback page: a small receiver in Python, PHP and Node.js that checks
X-Tally-Signature on each postback Tally sends (docs/affiliate-postbacks.md), with the affiliate's secrets filled in.

Each is a whole program that runs as shown (tests/integrations/test_verifier_examples.py runs them against real
deliveries). What they check, as the page says: the secret is its literal UTF-8 text (never base64-decoded), the
signed payload is the raw query string exactly as received, the timestamp is at most MAX_AGE seconds away from the
receiver's clock, and any v1= value may match any of the listed secrets (two during a rotation's grace period).
Plain text; templates escape it.
"""

import json
from dataclasses import dataclass

# How far the timestamp may be from the receiver's clock, in seconds: the examples' recommendation (Tally signs each
# attempt afresh, just before sending, so a genuine postback is never more than a few seconds old).
MAX_AGE = 300


@dataclass
class Example:
    key: str
    label: str
    filename: str
    run: str
    text: str


def _python(secrets):
    return f'''"""Receives Tally's postbacks and checks X-Tally-Signature. Python 3.8+, standard library only."""

import hashlib
import hmac
import os
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

# Your postback secret as the literal text on Tally's postback page (never base64-decode it). During a rotation
# list both the new and the previous one: a postback signed with either is accepted.
SECRETS = {json.dumps(secrets)}
MAX_AGE = {MAX_AGE}  # seconds between the signature's timestamp and this server's clock


def verify_tally_signature(raw_query, header, secrets=SECRETS, max_age=MAX_AGE):
    """True when the X-Tally-Signature header signs raw_query, the query string exactly as received."""
    timestamp, signatures = None, []
    for part in (header or "").split(","):
        key, _, value = part.strip().partition("=")
        if key == "t" and value.isdigit():
            timestamp = int(value)
        elif key == "v1":
            signatures.append(value.encode())
    if timestamp is None or abs(time.time() - timestamp) > max_age:
        return False
    message = f"{{timestamp}}.{{raw_query}}".encode()
    for secret in secrets:
        expected = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest().encode()
        if any(hmac.compare_digest(expected, signature) for signature in signatures):
            return True
    return False


class PostbackHandler(BaseHTTPRequestHandler):
    def do_GET(self):
        raw_query = urlsplit(self.path).query  # as received: never rebuilt from the parsed parameters
        if not verify_tally_signature(raw_query, self.headers.get("X-Tally-Signature")):
            # A 4xx fails the delivery at once: Tally does not try it again.
            return self.answer(403, b"invalid signature")
        conversion_id = parse_qs(raw_query).get("conversion_id", [""])[0]
        # Record the conversion here, once per conversion_id (a call may come twice; a test postback has 0).
        return self.answer(200, b"ok")

    def answer(self, status, body):
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


HTTPServer(("", int(os.environ.get("PORT", "8080"))), PostbackHandler).serve_forever()
'''


def _php(secrets):
    listed = ", ".join(f"'{secret}'" for secret in secrets)
    return f"""<?php
// Receives Tally's postbacks and checks X-Tally-Signature. PHP 7.4 or 8, no extensions beyond the default ones.

// Your postback secret as the literal text on Tally's postback page (never base64-decode it). During a rotation
// list both the new and the previous one: a postback signed with either is accepted.
$secrets = [{listed}];
$maxAge = {MAX_AGE}; // seconds between the signature's timestamp and this server's clock

function tally_signature_ok(string $rawQuery, string $header, array $secrets, int $maxAge): bool
{{
    $timestamp = null;
    $signatures = [];
    foreach (explode(',', $header) as $part) {{
        $pair = explode('=', trim($part), 2);
        if (count($pair) !== 2) {{
            continue;
        }}
        if ($pair[0] === 't' && ctype_digit($pair[1])) {{
            $timestamp = (int) $pair[1];
        }} elseif ($pair[0] === 'v1') {{
            $signatures[] = $pair[1];
        }}
    }}
    if ($timestamp === null || abs(time() - $timestamp) > $maxAge) {{
        return false;
    }}
    foreach ($secrets as $secret) {{
        $expected = hash_hmac('sha256', $timestamp . '.' . $rawQuery, $secret);
        foreach ($signatures as $signature) {{
            if (hash_equals($expected, $signature)) {{
                return true;
            }}
        }}
    }}
    return false;
}}

// The query string as received: never rebuilt from $_GET.
$rawQuery = $_SERVER['QUERY_STRING'] ?? '';
if (!tally_signature_ok($rawQuery, $_SERVER['HTTP_X_TALLY_SIGNATURE'] ?? '', $secrets, $maxAge)) {{
    http_response_code(403); // a 4xx fails the delivery at once: Tally does not try it again
    echo 'invalid signature';
    exit;
}}
$conversionId = $_GET['conversion_id'] ?? '';
// Record the conversion here, once per $conversionId (a call may come twice; a test postback has 0).
echo 'ok';
"""


def _node(secrets):
    return f"""// Receives Tally's postbacks and checks X-Tally-Signature. Node.js 18+, no packages.
// CommonJS (a .js file in most projects, or .cjs). In an ES module (.mjs, or "type": "module") write the two
// requires as: import crypto from 'node:crypto'; import http from 'node:http';
const crypto = require('node:crypto');
const http = require('node:http');

// Your postback secret as the literal text on Tally's postback page (never base64-decode it). During a rotation
// list both the new and the previous one: a postback signed with either is accepted.
const SECRETS = {json.dumps(secrets)};
const MAX_AGE = {MAX_AGE}; // seconds between the signature's timestamp and this server's clock

function verifyTallySignature(rawQuery, header, secrets = SECRETS, maxAge = MAX_AGE) {{
  let timestamp = null;
  const signatures = [];
  for (const part of String(header || '').split(',')) {{
    const [key, ...rest] = part.trim().split('=');
    const value = rest.join('=');
    if (key === 't' && /^[0-9]+$/.test(value)) timestamp = Number(value);
    else if (key === 'v1') signatures.push(Buffer.from(value));
  }}
  if (timestamp === null || Math.abs(Date.now() / 1000 - timestamp) > maxAge) return false;
  return secrets.some((secret) => {{
    const expected = Buffer.from(
      crypto.createHmac('sha256', secret).update(`${{timestamp}}.${{rawQuery}}`).digest('hex'),
    );
    return signatures.some((given) => given.length === expected.length && crypto.timingSafeEqual(given, expected));
  }});
}}

http
  .createServer((req, res) => {{
    const at = req.url.indexOf('?');
    const rawQuery = at === -1 ? '' : req.url.slice(at + 1); // as received: never rebuilt from parsed parameters
    if (!verifyTallySignature(rawQuery, req.headers['x-tally-signature'])) {{
      // A 4xx fails the delivery at once: Tally does not try it again.
      res.writeHead(403, {{ 'Content-Type': 'text/plain' }}).end('invalid signature');
      return;
    }}
    const conversionId = new URLSearchParams(rawQuery).get('conversion_id');
    // Record the conversion here, once per conversionId (a call may come twice; a test postback has 0).
    res.writeHead(200, {{ 'Content-Type': 'text/plain' }}).end('ok');
  }})
  .listen(Number(process.env.PORT) || 8080);
"""


def verifier_examples(*, secrets):
    """The receiver in three languages, accepting postbacks signed with any of `secrets` (current first)."""
    return [
        Example("verify-python", "Python", "tally_postback.py", "python3 tally_postback.py", _python(secrets)),
        Example("verify-php", "PHP", "tally_postback.php", "php -S 0.0.0.0:8080 tally_postback.php", _php(secrets)),
        Example("verify-node", "Node.js", "tally_postback.js", "node tally_postback.js", _node(secrets)),
    ]
