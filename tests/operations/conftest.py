import io
import logging

import pytest

from operations.logs import JsonFormatter, ScrubFilter


@pytest.fixture
def json_log():
    """The site's console handler (settings.LOGGING) writing JSON into a buffer; returns a
    function giving the lines logged so far, parsed."""
    import json

    handler = next(h for h in logging.getLogger().handlers if h.name == "console")
    assert any(isinstance(f, ScrubFilter) for f in handler.filters)
    buffer = io.StringIO()
    old_stream, old_formatter = handler.stream, handler.formatter
    handler.setStream(buffer)
    handler.setFormatter(JsonFormatter())
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]
    finally:
        handler.setStream(old_stream)
        handler.setFormatter(old_formatter)
