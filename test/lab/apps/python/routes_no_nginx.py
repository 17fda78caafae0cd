import catalog

INVOICES = {"inv-1": {"total": 89}}


def invoice_totals(_params):
    # Bug: invoices are keyed by id, the code asks for the customer field they never had.
    return 200, {"totals": [inv["customer"]["vat_id"] for inv in INVOICES.values()]}


def build():
    routes = catalog.build()
    routes[("GET", "/api/invoices")] = invoice_totals
    return routes
