"""The dashboard's files (`/_trunkline/ui`): plain HTML, CSS and JavaScript modules shipped in the
package, served as they are: nothing is built at install time and nothing loads from elsewhere.
The page reads `GET /_trunkline/dashboard` and `/_trunkline/clock`, follows
`/_trunkline/events/stream`, and writes only through the clock's advance and settle."""

from __future__ import annotations

from functools import cache
from importlib import resources

#: The files the server hands out, and their media types; any other name is a 404.
ASSETS = {
    "index.html": "text/html; charset=utf-8",
    "dashboard.js": "text/javascript; charset=utf-8",
    "render.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
}

#: Same-origin only, no inline script, and no framing (the clock buttons must not be clickjacked).
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


@cache
def asset(name: str) -> tuple[bytes, str] | None:
    """The file's bytes and media type, or None for a name that is not one of ASSETS."""
    media_type = ASSETS.get(name)
    if media_type is None:
        return None
    return resources.files(__package__).joinpath(name).read_bytes(), media_type
