"""Command-line tools run inside the image; `python -m cog.command.openapi_schema` as in Cog."""
