from catalog import build  # noqa: F401  (a release with nothing but the catalog)
