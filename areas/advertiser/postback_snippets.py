"""The postback snippets on an advertiser's offer page (issue #9): the postback URL for each protocol, with
placeholders, and the same call as curl, PHP, Python and Node.js, ready to copy. Plain text; templates escape it.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

from offers.macros import MACRO_PATTERN

# What the advertiser replaces; the names say where each value comes from.
TRANSACTION_ID = "TRANSACTION_ID"
AFFILIATE_ID = "AFFILIATE_ID"
AMOUNT = "AMOUNT"
ORDER_ID = "ORDER_ID"


@dataclass
class Snippet:
    key: str
    label: str
    text: str


def _query(pairs):
    return "&".join(f"{name}={value}" for name, value in pairs)


def postback_params(*, offer, advertiser, protocol, goal=None):
    """The (name, value) pairs of a postback for this offer: placeholders in capitals, fixed values filled in."""
    if protocol == "transaction":
        pairs = [("transaction_id", TRANSACTION_ID)]
    else:
        pairs = [("offer_id", str(offer.pk)), ("aff_id", AFFILIATE_ID)]
    pairs += [("amount", AMOUNT), ("adv_sub", ORDER_ID)]
    if goal is not None:
        pairs.append(("goal_id", str(goal.pk)))
    if advertiser.security_token:
        pairs.append(("security_token", advertiser.security_token))
    return pairs


def postback_url(base, pairs):
    return f"{base}?{_query(pairs)}"


def _php(base, pairs):
    rows = "\n".join(f"    '{name}' => {_php_value(value)}," for name, value in pairs)
    return (
        "<?php\n"
        "// After the sale, on your server. $transactionId is what you stored from the landing URL.\n"
        f"$query = http_build_query([\n{rows}\n]);\n"
        f"$response = file_get_contents('{base}?' . $query);\n"
        '// $http_response_header[0] holds the status line; the body is JSON: {"status": "approved", ...}\n'
    )


def _php_value(value):
    variables = {
        TRANSACTION_ID: "$transactionId",
        AFFILIATE_ID: "$affiliateId",
        AMOUNT: "$orderTotal",
        ORDER_ID: "$orderId",
    }
    return variables.get(value, f"'{value}'")


def _python(base, pairs):
    variables = {
        TRANSACTION_ID: "transaction_id",
        AFFILIATE_ID: "affiliate_id",
        AMOUNT: "order_total",
        ORDER_ID: "order_id",
    }
    rows = "\n".join(f'    "{name}": {variables.get(value, json.dumps(value))},' for name, value in pairs)
    return (
        "from urllib.error import HTTPError\n"
        "from urllib.parse import urlencode\n"
        "from urllib.request import urlopen\n\n"
        "# After the sale, on your server. transaction_id is what you stored from the landing URL.\n"
        f"query = urlencode({{\n{rows}\n}})\n"
        "try:\n"
        f'    with urlopen(f"{base}?{{query}}", timeout=10) as response:\n'
        "        print(response.status, response.read().decode())\n"
        "except HTTPError as error:  # 4xx: the body says why (reason)\n"
        "    print(error.code, error.read().decode())\n"
    )


def _node(base, pairs):
    variables = {
        TRANSACTION_ID: "transactionId",
        AFFILIATE_ID: "affiliateId",
        AMOUNT: "orderTotal",
        ORDER_ID: "orderId",
    }
    rows = "\n".join(f"  {name}: {variables.get(value, json.dumps(value))}," for name, value in pairs)
    return (
        "// Node.js 18+ (fetch is built in). After the sale, on your server.\n"
        "// transactionId is what you stored from the landing URL.\n"
        f"const query = new URLSearchParams({{\n{rows}\n}});\n"
        f"const response = await fetch(`{base}?${{query}}`);\n"
        'console.log(response.status, await response.json()); // {status: "approved", ...} or {reason: ...}\n'
    )


def _curl(base, pairs):
    return f"curl -sS '{postback_url(base, pairs)}'\n"


def call_snippets(*, base, pairs):
    """The same postback as curl, PHP, Python and Node.js."""
    return [
        Snippet("curl", "curl", _curl(base, pairs)),
        Snippet("php", "PHP", _php(base, pairs)),
        Snippet("python", "Python", _python(base, pairs)),
        Snippet("node", "Node.js", _node(base, pairs)),
    ]


def transaction_param(destination_url):
    """The query parameter of the landing URL that carries {transaction_id}, or None when there is none."""
    for name, value in parse_qsl(urlsplit(destination_url).query, keep_blank_values=True):
        if any((m.group(1) or m.group(2)) == "transaction_id" for m in MACRO_PATTERN.finditer(value)):
            return name
    return None


def store_snippets(param):
    """How to keep the transaction ID from the landing URL until the sale: PHP, Python (Django), Node (Express)."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", param)
    return [
        Snippet(
            "store-php",
            "PHP",
            "<?php\n// On the landing page: keep the transaction ID with the visitor's session (or their order).\n"
            f"session_start();\nif (!empty($_GET['{param}'])) {{\n"
            f"    $_SESSION['tally_{safe}'] = $_GET['{param}'];\n}}\n"
            f"// Later, at the sale: $transactionId = $_SESSION['tally_{safe}'] ?? null;\n",
        ),
        Snippet(
            "store-python",
            "Python (Django)",
            "# In the view of the landing page: keep it with the visitor's session (or their order).\n"
            f'if request.GET.get("{param}"):\n    request.session["tally_{safe}"] = request.GET["{param}"]\n'
            f'# Later, at the sale: transaction_id = request.session.get("tally_{safe}")\n',
        ),
        Snippet(
            "store-node",
            "Node.js (Express)",
            "// With express-session: keep it with the visitor's session (or their order).\n"
            f"app.get('/landing', (req, res, next) => {{\n  if (req.query['{param}']) req.session.tally_{safe} = "
            f"req.query['{param}'];\n  next();\n}});\n"
            f"// Later, at the sale: const transactionId = req.session.tally_{safe};\n",
        ),
    ]
