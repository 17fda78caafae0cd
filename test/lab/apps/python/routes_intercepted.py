import catalog


def inventory(_params):
    # The inventory backend is in maintenance: it answers 503, nginx intercepts it.
    return 503, {"error": "inventory under maintenance"}


def build():
    routes = catalog.build()
    routes[("GET", "/api/inventory")] = inventory
    return routes
