"""Which media type a GraphQL response is sent as (GraphQL over HTTP, "Accept").

`application/graphql-response+json` lets a client tell a request that never ran (4xx, no
`data`) from one that ran with errors (200); `application/json` answers 200 either way, as
before. The new type is used only when the client asks for it at least as strongly as for
`application/json`: a missing Accept or `*/*` keeps `application/json`, as the spec requires.
"""

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"
JSON = "application/json"


def _weights(accept: str) -> dict[str, float]:
    weights: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        weights[media] = max(weights.get(media, 0.0), quality)
    return weights


def response_type(accept: str | None) -> str:
    if not accept:
        return JSON
    weights = _weights(accept)
    ours = weights.get(GRAPHQL_RESPONSE_JSON, 0.0)
    legacy = max(weights.get(JSON, 0.0), weights.get("application/*", 0.0), weights.get("*/*", 0.0))
    return GRAPHQL_RESPONSE_JSON if ours > 0 and ours >= legacy else JSON
