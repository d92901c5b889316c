"""The map's deferred work: what the browser draws only once the markers are on screen (base map, area outlines).

The map's frame shares the page's main thread (same origin). Fetching and drawing the base map's 2.6 MB of outlines
and labels, and hundreds of area outlines, right when the script ran kept that thread busy after the markers were
built and delayed their first paint; queued here, each piece runs in its own task after the markers are painted."""
from __future__ import annotations

from typing import Any

# window.geoLater.add(fn) queues fn; open() (at the end of the map's script) runs the queue one function per task,
# starting after the next frame is painted (or after OPEN_FALLBACK_MS when the page paints no frame, e.g. hidden).
LATER_JS = """{% macro script(this, kwargs) %}
window.geoLater = (function () {
    var queue = [], opened = false, started = false;
    function next() {
        var fn = queue.shift();
        if (!fn) { return; }
        try { fn(); } finally { setTimeout(next, 0); }
    }
    function start() { if (!started) { started = true; setTimeout(next, 0); } }
    return {
        add: function (fn) { queue.push(fn); if (started && queue.length === 1) { setTimeout(next, 0); } },
        open: function () {
            if (opened) { return; }
            opened = true;
            requestAnimationFrame(function () { requestAnimationFrame(start); });
            setTimeout(start, {{ this.fallback_ms }});
        }
    };
})();
{% endmacro %}"""

OPEN_JS = """{% macro script(this, kwargs) %}
window.geoLater.open();
{% endmacro %}"""

OPEN_FALLBACK_MS = 300


def _element(template: str, name: str) -> Any:
    from branca.element import MacroElement
    from jinja2 import Template

    class Deferred(MacroElement):
        _template = Template(template)

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]
            self._name = name
            self.fallback_ms = OPEN_FALLBACK_MS

    return Deferred()


def later_queue() -> Any:
    """A map child, added before any layer that defers work: defines `window.geoLater`."""
    return _element(LATER_JS, "LaterQueue")


def open_later() -> Any:
    """A map child, added last (after the markers): starts the deferred work once the markers are painted."""
    return _element(OPEN_JS, "OpenLater")
