"""The environment variables `listen` and `trigger` read (the server's are hookline.settings'),
kept apart from the commands so that `hookline --help` shows them without importing those."""

# The client's own variables (the server's are in hookline.settings): (name, meaning).
CLIENT_VARIABLES: tuple[tuple[str, str], ...] = (
    ("HOOKLINE_SERVER", "the server's URL when --server is not given"),
    ("HOOKLINE_TOKEN", "the API token when --token is not given (keeps it out of `ps`)"),
    (
        "XDG_STATE_HOME",
        "listen keeps its cursor in $XDG_STATE_HOME/hookline/listen (default: ~/.local/state)",
    ),
)


def client_environment() -> str:
    lines = ["environment variables:"]
    for name, meaning in CLIENT_VARIABLES:
        lines += [f"  {name}", f"      {meaning}"]
    return "\n".join(lines)
