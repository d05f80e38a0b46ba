"""Ads API handlers, one module per resource and one function per endpoint.

Every handler is ``handler(request, state) -> Response`` and can be called on its own; ``ads.urls``
routes to them.
"""
