"""The OpenAPI schema's account of errors: every list and record may answer a
400 (a parameter not read, given twice, or naming nothing published), a 429
(the rate limit) and, for a record, a 404; drf-spectacular documents only the
200, so "Try it out" showed the README's 400 as undocumented."""

ERROR = {
    "type": "object",
    "description": "What went wrong: a message under `detail`, or under each parameter "
    "at fault (a list of messages).",
    "additionalProperties": {
        "oneOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
    },
    "example": {"debate": ["No published debate has the slug 'no-such-debate'."]},
}
ANSWERS = {
    "400": "A parameter the endpoint does not read, one given twice, or a value that "
    "names nothing published or is not of its kind; the parameter is named.",
    "429": "Too many requests from this address: wait for the seconds Retry-After gives.",
    "404": "No published record at this address.",
}


def document_errors(result, generator, request, public):
    """A drf-spectacular postprocessing hook (SPECTACULAR_SETTINGS)."""
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for path, item in result.get("paths", {}).items():
        for operation in item.values():
            responses = operation.setdefault("responses", {})
            for status, description in ANSWERS.items():
                if status == "404" and "{" not in path:
                    continue  # a list is never missing, only empty
                responses.setdefault(status, {"description": description, "content": content})
    return result
