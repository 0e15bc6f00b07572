"""Data Docs readable offline: the CDN scripts, styles and images of great-expectations' pages
replaced by local copies from installed packages (XStatic), so a site opened from disk or
served without internet still shows every pass/fail icon (Font Awesome) and its layout
(Bootstrap, jQuery). The assets come from pinned dependencies, copied into each site's
`static/vendor/` when it is built; nothing is copied into the repository.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

VENDOR_DIR = Path("static") / "vendor"


@dataclass(frozen=True)
class Asset:
    """A local file for a CDN address: `package` is the XStatic module, `file` a path in its data."""

    cdn: str  # a regular expression over the src/href value
    package: str | None  # None: the reference is dropped (a plugin the pages do without)
    file: str = ""


ASSETS: tuple[Asset, ...] = (
    Asset(r"https://maxcdn\.bootstrapcdn\.com/bootstrap/4\.[^\"']*/bootstrap\.min\.css", "bootstrap", "css/bootstrap.min.css"),
    # The bundle carries Popper, which Bootstrap 4's dropdowns need.
    Asset(r"https://stackpath\.bootstrapcdn\.com/bootstrap/4\.[^\"']*/bootstrap\.min\.js", "bootstrap", "js/bootstrap.bundle.min.js"),
    Asset(r"https://cdnjs\.cloudflare\.com/ajax/libs/popper\.js/[^\"']*", None),
    Asset(r"https://code\.jquery\.com/jquery-3\.[^\"']*\.min\.js", "jquery", "jquery.min.js"),
    # The status icons (fa-check-circle, fa-times) of every expectation are Font Awesome glyphs.
    Asset(r"https://cdnjs\.cloudflare\.com/ajax/libs/font-awesome/6\.[^\"']*/all\.min\.css", "font_awesome", "css/all.min.css"),
    # Sortable/filterable tables, date pickers, dark theme and profiling charts: the pages read
    # as plain tables without them.
    Asset(r"https://unpkg\.com/bootstrap-table@[^\"']*", None),
    Asset(r"https://cdnjs\.cloudflare\.com/ajax/libs/bootstrap-datepicker/[^\"']*", None),
    Asset(r"https://cdn\.jsdelivr\.net/npm/@forevolve/bootstrap-dark@[^\"']*", None),
    Asset(r"https://cdn\.jsdelivr\.net/npm/vega(-lite|-embed)?@[^\"']*", None),
)
"""Every external script and style great-expectations 1.x's Data Docs templates load, and its
local replacement. A reference not listed here fails `external_resources` (and its test)."""

PACKAGE_FILES = {"bootstrap": ("css", "js"), "jquery": ("jquery.min.js",), "font_awesome": ("css", "webfonts")}
"""What is copied from each package's data folder (Font Awesome's CSS reads ../webfonts/)."""

_LOGO = re.compile(r"https://great-expectations-web-assets\.s3[^\"']*/(logo-long\.png)[^\"']*")
_STATIC_REF = re.compile(r"""((?:src|href)=["'])(?:\.\./)*static/""")
_TAG = re.compile(r"<(script|link)\b[^>]*?(?:src|href)=[\"'](https?://[^\"']+)[\"'][^>]*>(?:\s*</script>)?", re.I)


def _package_dir(name: str) -> Path:
    import importlib

    return Path(importlib.import_module(f"xstatic.pkg.{name}").BASE_DIR)


def copy_vendor(site: Path) -> None:
    """Copy the assets of every package in ASSETS into `site/static/vendor/<package>/`."""
    for pkg, parts in PACKAGE_FILES.items():
        base = _package_dir(pkg)
        for part in parts:
            src, dst = base / part, site / VENDOR_DIR / pkg / part
            if src.is_dir():
                shutil.copytree(src, dst, dirs_exist_ok=True)
            else:
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)


def localize_page(html: str, to_site: str) -> str:
    """`html` with each CDN script/style replaced by its local copy (`to_site`: the relative path
    from the page's folder to the site root) and the plugins it does without removed."""

    def tag(m: re.Match[str]) -> str:
        url = m.group(2)
        for asset in ASSETS:
            if re.fullmatch(asset.cdn, url):
                if asset.package is None:
                    return ""
                local = f"{to_site}/{VENDOR_DIR.as_posix()}/{asset.package}/{asset.file}"
                # Subresource integrity and CORS attributes are for the CDN: a page opened from
                # disk (file://) would refuse the local copy with them.
                out = m.group(0).replace(url, local)
                return re.sub(r"\s(integrity|crossorigin)(=[\"'][^\"']*[\"'])?", "", out)
        return m.group(0)

    html = _TAG.sub(tag, html)
    html = _LOGO.sub(lambda m: f"{to_site}/static/images/{m.group(1)}", html)
    # great-expectations counts one folder too few on its deepest pages (the favicon of a
    # validation page points outside the site): every static reference is made from the root.
    return _STATIC_REF.sub(lambda m: f"{m.group(1)}{to_site}/static/", html)


def localize_site(site: Path) -> None:
    """Copy the vendor assets into `site` and rewrite every page of it (before it is swapped in)."""
    copy_vendor(site)
    for page in site.rglob("*.html"):
        rel = os.path.relpath(site, page.parent)
        page.write_text(localize_page(page.read_text("utf-8"), Path(rel).as_posix()), "utf-8")


def external_resources(html: str) -> list[str]:
    """Scripts, styles and images a page would fetch from the network (links to read are not)."""
    refs = re.findall(r"<(?:script|img)\b[^>]*\bsrc=[\"'](https?://[^\"']+)", html, re.I)
    refs += re.findall(r"<link\b[^>]*\bhref=[\"'](https?://[^\"']+)", html, re.I)
    return refs
