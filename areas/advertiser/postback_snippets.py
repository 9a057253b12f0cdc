"""The postback snippets on an advertiser's offer page: the postback URL for each protocol, with
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
UNIQUE_ID = "UNIQUE_ID"

# The variable that holds each placeholder's value in the PHP, Python and Node.js snippets.
VARIABLES = {
    "php": {
        TRANSACTION_ID: "$transactionId",
        AFFILIATE_ID: "$affiliateId",
        AMOUNT: "$orderTotal",
        ORDER_ID: "$orderId",
        UNIQUE_ID: "$invoiceId",
    },
    "python": {
        TRANSACTION_ID: "transaction_id",
        AFFILIATE_ID: "affiliate_id",
        AMOUNT: "order_total",
        ORDER_ID: "order_id",
        UNIQUE_ID: "invoice_id",
    },
    "node": {
        TRANSACTION_ID: "transactionId",
        AFFILIATE_ID: "affiliateId",
        AMOUNT: "orderTotal",
        ORDER_ID: "orderId",
        UNIQUE_ID: "invoiceId",
    },
}


@dataclass
class Snippet:
    key: str
    label: str
    text: str


def _query(pairs):
    return "&".join(f"{name}={value}" for name, value in pairs)


def postback_params(*, offer, advertiser, protocol, goal=None):
    """The (name, value) pairs of a postback for this offer: placeholders in capitals, fixed values filled in.

    By partner ID there is no click to convert once, so each call carries conversion_unique_id (the invoice number,
    say): Tally records one conversion per value and offer, and a retried call is refused as a duplicate."""
    if protocol == "transaction":
        pairs = [("transaction_id", TRANSACTION_ID)]
    else:
        pairs = [("offer_id", str(offer.pk)), ("aff_id", AFFILIATE_ID)]
    pairs += [("amount", AMOUNT), ("adv_sub", ORDER_ID)]
    if protocol != "transaction":
        pairs.append(("conversion_unique_id", UNIQUE_ID))
    if goal is not None:
        pairs.append(("goal_id", str(goal.pk)))
    if advertiser.security_token:
        pairs.append(("security_token", advertiser.security_token))
    return pairs


def postback_url(base, pairs):
    return f"{base}?{_query(pairs)}"


def _by_partner_id(pairs):
    return any(name == "aff_id" for name, _ in pairs)


def _where_values_come_from(pairs, variables, comment):
    """The snippet's opening comment: where the advertiser's code gets the values it sends."""
    if _by_partner_id(pairs):
        lines = [
            f"After the sale, on your server. {variables[AFFILIATE_ID]} is the partner ID of the affiliate who",
            f"brought the customer; {variables[UNIQUE_ID]} names this sale (e.g. the invoice number): Tally counts",
            "each value once, so a retried call is refused as a duplicate instead of counting twice.",
        ]
    else:
        lines = [f"After the sale, on your server. {variables[TRANSACTION_ID]} is what you kept from the landing URL."]
    return "".join(f"{comment} {line}\n" for line in lines)


def _value(value, variables, quote):
    return variables.get(value, quote(value))


def _php_string(value):
    return f"'{value}'"


def _php(base, pairs):
    variables = VARIABLES["php"]
    rows = "\n".join(f"    '{name}' => {_value(value, variables, _php_string)}," for name, value in pairs)
    return (
        f"<?php\n{_where_values_come_from(pairs, variables, '//')}"
        f"$query = http_build_query([\n{rows}\n]);\n"
        "// ignore_errors: read the answer to a refused postback too (a 409 or 403 says why in its body).\n"
        "$context = stream_context_create(['http' => ['ignore_errors' => true, 'timeout' => 10]]);\n"
        f"$response = file_get_contents('{base}?' . $query, false, $context);\n"
        "if ($response === false) {\n"
        '    echo "Tally could not be reached\\n"; // try again later\n'
        "} else {\n"
        '    // $http_response_header[0] is the status line ("HTTP/1.1 409 Conflict"); the body is JSON:\n'
        '    // {"status": "approved", ...} or {"status": "rejected", "reason": "duplicate", "detail": ...}\n'
        '    echo $http_response_header[0], "\\n", $response, "\\n";\n'
        "}\n"
    )


def _python(base, pairs):
    variables = VARIABLES["python"]
    rows = "\n".join(f'    "{name}": {_value(value, variables, json.dumps)},' for name, value in pairs)
    return (
        "from urllib.error import HTTPError\n"
        "from urllib.parse import urlencode\n"
        "from urllib.request import urlopen\n\n"
        f"{_where_values_come_from(pairs, variables, '#')}"
        f"query = urlencode({{\n{rows}\n}})\n"
        "try:\n"
        f'    with urlopen(f"{base}?{{query}}", timeout=10) as response:\n'
        '        print(response.status, response.read().decode())  # {"status": "approved", ...}\n'
        "except HTTPError as error:  # 4xx: the body says why (reason)\n"
        "    print(error.code, error.read().decode())\n"
    )


def _node(base, pairs):
    variables = VARIABLES["node"]
    rows = "\n".join(f"  {name}: {_value(value, variables, json.dumps)}," for name, value in pairs)
    return (
        "// Node.js 18+ (fetch is built in), in a CommonJS file or an ES module alike.\n"
        f"{_where_values_come_from(pairs, variables, '//')}"
        f"const query = new URLSearchParams({{\n{rows}\n}});\n"
        f"fetch(`{base}?${{query}}`)\n"
        "  .then(async (response) => {\n"
        '    // 200: {"status": "approved", ...}; 4xx: {"status": "rejected", "reason": "duplicate", ...}\n'
        "    console.log(response.status, await response.text());\n"
        "  })\n"
        "  .catch((error) => console.error('Tally could not be reached:', error.message)); // try again later\n"
    )


def _curl(base, pairs):
    # -w: the status code after the body (which says why when the postback is refused).
    return f"curl -sS -w ' %{{http_code}}\\n' '{postback_url(base, pairs)}'\n"


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
