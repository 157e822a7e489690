"""OpenAPI schema details of the monitoring API."""

from ..services import MAX_BATCH


def bound_batches(result, generator, request, public):
    """Post-processing hook: a body of "one object, or a list of them" (the ingest endpoints) takes
    a list of 1 to MAX_BATCH items, which the schema of a list serializer cannot say by itself."""
    batches = set()
    for name, schema in result.get("components", {}).get("schemas", {}).items():
        choices = schema.get("oneOf") or []
        refs = {choice["$ref"] for choice in choices if "$ref" in choice}
        for choice in choices:
            if choice.get("type") == "array" and choice.get("items", {}).get("$ref") in refs:
                choice.update(minItems=1, maxItems=MAX_BATCH)
                batches.add(f"#/components/schemas/{name}")
    # A batch is the whole request: there is no request without one.
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody") if isinstance(operation, dict) else None
            if body and any(c.get("schema", {}).get("$ref") in batches for c in body.get("content", {}).values()):
                body["required"] = True
    return result
