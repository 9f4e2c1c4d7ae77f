"""An uploaded logo, treated as hostile: size-limited, its type told by its bytes, raster
images decoded and written again (no metadata, no trailing payload), SVG refused when it
declares a DTD or could run a script or fetch anything, and written again from its parse.

What comes out is safe to show on every page, to serve from /static and to embed in a PDF.
"""

from __future__ import annotations

import io
import re
import warnings
import xml.etree.ElementTree as ET

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from qms.core.errors import ValidationFailed

MAX_BYTES = 512 * 1024
MAX_PIXELS = 4096 * 4096
MAX_SIDE = 4096
PNG, JPEG, SVG = "image/png", "image/jpeg", "image/svg+xml"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Drawing only: no script, foreignObject, image, animation (it can rewrite an href), links
# or filters that load a resource (feImage).
SVG_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "symbol",
        "use",
        "title",
        "desc",
        "metadata",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "textPath",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "pattern",
        "marker",
        "style",
        "filter",
        "feGaussianBlur",
        "feOffset",
        "feBlend",
        "feColorMatrix",
        "feComposite",
        "feFlood",
        "feMerge",
        "feMergeNode",
        "feDropShadow",
    ]
)
_URL = re.compile(r"url\s*\(\s*['\"]?\s*([^'\")\s]*)", re.IGNORECASE)
_DECLARATION = re.compile(r"""\s*<\?xml[^>]*?encoding=["']([^"']+)["'][^>]*\?>""")
_ACTIVE_TEXT = re.compile(r"javascript:|@import|expression\s*\(", re.IGNORECASE)


class LogoRefused(ValidationFailed):
    """Not an image the system shows as a logo."""

    status_code = 415
    code = "unsupported_file"


def _refuse(message: object) -> LogoRefused:
    return LogoRefused(str(message), field="logo")


def checked_logo(data: bytes) -> tuple[bytes, str]:
    """(bytes to store, media type) for an acceptable logo; LogoRefused otherwise."""
    if not data:
        raise _refuse(_l("The file is empty."))
    if len(data) > MAX_BYTES:
        raise _refuse(_l("The logo is larger than %(kb)d KB.", kb=MAX_BYTES // 1024))
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return _raster(data, "PNG"), PNG
    if data.startswith(b"\xff\xd8\xff"):
        return _raster(data, "JPEG"), JPEG
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<?xml", b"<svg", b"<!--")) and b"<svg" in data[:4096].lower():
        return _svg(data), SVG
    raise _refuse(_l("Upload the logo as a PNG, JPEG or SVG image."))


def _raster(data: bytes, fmt: str) -> bytes:
    """Decode within limits and encode again: what is stored is only the picture."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if image.format != fmt:
                    raise _refuse(_l("The image could not be read."))
                if width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
                    raise _refuse(_l("The logo is at most %(n)d pixels on each side.", n=MAX_SIDE))
                image.load()
                out = io.BytesIO()
                if fmt == "PNG":
                    keep = (
                        image
                        if image.mode in ("RGB", "RGBA", "L", "LA", "P")
                        else image.convert("RGBA")
                    )
                    keep.save(out, "PNG", optimize=True)
                else:
                    keep = image if image.mode in ("RGB", "L") else image.convert("RGB")
                    keep.save(out, "JPEG", quality=92)
                return out.getvalue()
    except LogoRefused:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ):
        raise _refuse(_l("The image could not be read.")) from None


def _local_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def _svg(data: bytes) -> bytes:
    """The drawing, parsed without a DTD (so without entities or anything fetched), written
    again without what editors leave in (their namespaces, comments); refused when anything
    in it could run or load."""
    try:
        # UTF-8 only: another encoding could hide a DOCTYPE from the check below.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(_l("Save the SVG as UTF-8.")) from None
    declaration = _DECLARATION.match(text)
    if declaration and declaration.group(1).lower() not in ("utf-8", "utf8"):
        raise _refuse(_l("Save the SVG as UTF-8."))
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise _refuse(_l("The SVG declares a DOCTYPE or entities; export it as plain SVG."))
    try:
        # Safe here: with no DTD there are no entities to expand and nothing external.
        root = ET.fromstring(text[declaration.end() :] if declaration else text)  # noqa: S314
    except ET.ParseError:
        raise _refuse(_l("The SVG could not be read.")) from None
    if _local_name(root.tag) != (SVG_NS, "svg"):
        raise _refuse(_l("Upload the logo as a PNG, JPEG or SVG image."))
    _clean(root)
    _plain_names(root)
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _plain_names(element: ET.Element) -> None:
    """Names as SVG files write them (`rect`, `xlink:href`), not ElementTree's `ns0:` ones."""
    element.tag = _local_name(element.tag)[1]
    prefixes = {XLINK_NS: "xlink:", XML_NS: "xml:"}
    for key in list(element.attrib):
        namespace, name = _local_name(key)
        if namespace:
            element.attrib[prefixes[namespace] + name] = element.attrib.pop(key)
    for child in element:
        _plain_names(child)


def _clean(element: ET.Element) -> None:
    """Check an SVG element and, depth first, its children; drop editors' own elements."""
    name = _local_name(element.tag)[1]
    if name not in SVG_ELEMENTS:
        raise _refuse(_l("The SVG contains a <%(what)s> element, which a logo may not.", what=name))
    _check_attributes(element)
    if name == "style" and _active(element.text or ""):
        raise _refuse(_l("The SVG's styles load or run something."))
    for child in list(element):
        if _local_name(child.tag)[0] != SVG_NS:
            # Inkscape's, Sodipodi's, RDF metadata: nothing a viewer draws.
            element.remove(child)
            continue
        _clean(child)


def _active(text: str) -> bool:
    if _ACTIVE_TEXT.search(text):
        return True
    return any(target and not target.startswith("#") for target in _URL.findall(text))


def _check_attributes(element: ET.Element) -> None:
    for key in list(element.attrib):
        namespace, name = _local_name(key)
        value = element.attrib[key]
        if namespace not in ("", XLINK_NS, XML_NS):
            del element.attrib[key]  # inkscape:label, sodipodi:…: nothing a viewer reads
            continue
        if name.lower().startswith("on"):
            raise _refuse(_l("The SVG contains scripts, which a logo may not."))
        if name == "href" and not value.strip().startswith("#"):
            raise _refuse(_l("The SVG refers to other files; embed everything in it."))
        if _active(value):
            raise _refuse(_l("The SVG refers to other files; embed everything in it."))
