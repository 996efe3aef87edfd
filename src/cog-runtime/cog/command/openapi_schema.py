"""Print the model's OpenAPI schema as JSON: `python -m cog.command.openapi_schema`.

It imports the predictor's (and the trainer's) module and reads their signatures but never runs
setup(), so that the build can check a user's inputs against the schema before a long model load.
"""

import contextlib
import json
import sys

from cog import loading
from cog.schema import openapi_schema


def main() -> int:
    try:
        # Anything the modules print on import goes to stderr: stdout must hold only the JSON.
        with contextlib.redirect_stdout(sys.stderr):
            references = loading.references()
            if not any(references.values()):
                raise loading.PredictorNotFound(loading.missing_reference_message())
            targets = loading.load_targets(references)
            schema = openapi_schema(targets.get(loading.PREDICT), targets.get(loading.TRAIN))
    except (loading.PredictorNotFound, TypeError, ValueError) as problem:
        sys.stderr.write("cog: cannot produce the OpenAPI schema: {}\n".format(problem))
        return 1
    json.dump(schema, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
