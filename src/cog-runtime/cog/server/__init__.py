"""The HTTP server; run it with `python -m cog.server.http`, the module path Cog's images use."""
