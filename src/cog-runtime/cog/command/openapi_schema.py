"""Print the predictor's OpenAPI schema as JSON: `python -m cog.command.openapi_schema`.

It imports the predictor module and reads predict()'s signature but never calls setup(), so the
build can check a user's inputs against the schema before paying for a long model load.
"""

import contextlib
import json
import sys

from cog.predictor import PredictorNotFound, load_predictor_class, predictor_reference
from cog.schema import openapi_schema


def main() -> int:
    try:
        # Anything the module prints on import goes to stderr: stdout must hold only the JSON.
        with contextlib.redirect_stdout(sys.stderr):
            schema = openapi_schema(load_predictor_class(predictor_reference()))
    except (PredictorNotFound, TypeError) as problem:
        sys.stderr.write("cog: cannot produce the OpenAPI schema: {}\n".format(problem))
        return 1
    json.dump(schema, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
