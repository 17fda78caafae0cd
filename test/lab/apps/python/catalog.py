"""Routes every release has; scenario route modules add (or break) endpoints on top."""
PRODUCTS = [
    {"id": 7, "name": "trail shoe", "price": 89},
    {"id": 8, "name": "rain jacket", "price": 129},
    {"id": 9, "name": "wool socks", "price": 12},
]


def product(params):
    found = [p for p in PRODUCTS if p["id"] == int(params["id"])]
    return (200, found[0]) if found else (404, {"error": "no such product"})


def build():
    return {
        ("GET", "/"): lambda _: (200, {"shop": "ok"}),
        ("GET", "/health"): lambda _: (200, {"status": "ok"}),
        ("GET", "/api/products"): lambda _: (200, PRODUCTS),
        ("GET", "/api/products/:id"): product,
    }
