"""The machinery of the artifact types: ``Part`` (a JSON object with typed fields, unknown
keys kept) and ``Doc`` (a whole file: format and version, save and load); see
:mod:`e3ne.artifacts`."""

from __future__ import annotations

import json
import os
import types
import typing
from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path
from typing import Any, ClassVar, TypeVar, Union

from e3ne.errors import ConfigError, FormatError

FORMAT_VERSION = 1  #: the ``format_version`` this e3ne writes and reads

P = TypeVar("P", bound="Part")
D = TypeVar("D", bound="Doc")

_EXPECTED = {bool: "true or false", int: "an integer", float: "a number", str: "a string"}


# --- the machinery ----------------------------------------------------------------------
@dataclass(kw_only=True)
class Part:
    """A JSON object with typed fields (every field has a default); unknown keys are
    kept in ``extra``."""

    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def to_json(self) -> dict[str, Any]:
        """A fresh dict of the fields in declaration order, then ``extra``."""
        out = {f.name: _dump(getattr(self, f.name)) for f in fields(self) if f.name != "extra"}
        out.update((k, _dump(v)) for k, v in self.extra.items() if k not in out)
        return out

    @classmethod
    def from_json(cls: type[P], doc: Any, source: str | None = None) -> P:
        """Build from a parsed JSON object; ``source`` names it in errors."""
        return cls._build(doc, source or cls.__name__, "", cls._hint())

    @classmethod
    def _hint(cls) -> str:
        return "expected a file written by e3ne"

    @classmethod
    def _build(cls: type[P], doc: Any, source: str, path: str, hint: str) -> P:
        if not isinstance(doc, dict):
            raise FormatError(f"{source}: {_where(path)}expected an object, got "
                              f"{_show(doc)}; {hint}")
        hints = _field_types(cls)
        known, extra = {}, {}
        for key, value in doc.items():
            if key in hints:
                if value is not None:
                    known[key] = _load(value, hints[key], source, f"{path}{key}", hint)
            else:
                extra[key] = value
        return cls(**known, extra=extra)


@dataclass(kw_only=True)
class Doc(Part):
    """A whole file of a design directory."""

    FILE: ClassVar[str]  #: its name in the design directory
    FORMAT: ClassVar[str]  #: the value of its ``format`` field: "e3ne-" + FILE's stem
    WRITER: ClassVar[str]  #: the command that writes it (named in errors)

    def __init_subclass__(cls, file: str, writer: str, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.FILE, cls.FORMAT, cls.WRITER = file, "e3ne-" + file.split(".")[0], writer

    def to_json(self) -> dict[str, Any]:
        return {"format": self.FORMAT, "format_version": FORMAT_VERSION, **super().to_json()}

    @classmethod
    def _hint(cls) -> str:
        return f"re-run `{cls.WRITER}` to rewrite it"

    @classmethod
    def from_json(cls: type[D], doc: Any, source: str | None = None) -> D:
        src = source or cls.FILE
        if isinstance(doc, dict):
            fmt = doc.get("format", cls.FORMAT)
            if fmt != cls.FORMAT:
                raise FormatError(f"{src}: format {_show(fmt)} is not {_show(cls.FORMAT)} "
                                  f"(not a {cls.FILE}?); {cls._hint()}")
            version = doc.get("format_version", FORMAT_VERSION)
            if version != FORMAT_VERSION or isinstance(version, bool):
                raise FormatError(f"{src}: format_version {_show(version)} is not supported "
                                  f"(this e3ne reads {FORMAT_VERSION}); written by another "
                                  f"e3ne, re-run `{cls.WRITER}`")
            doc = {k: v for k, v in doc.items() if k not in ("format", "format_version")}
        return cls._build(doc, src, "", cls._hint())

    def dumps(self) -> str:
        """The file's text: deterministic (same document, same bytes)."""
        return json.dumps(self.to_json(), indent=1) + "\n"

    def save(self, design_dir: str | Path) -> Path:
        """Write ``DIR/FILE`` (atomically: a reader never sees half a file)."""
        path = Path(design_dir) / self.FILE
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(self.dumps())
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls: type[D], design_dir: str | Path) -> D:
        """Read ``DIR/FILE``: ConfigError if it is missing, FormatError if malformed."""
        doc = cls.load_if_present(design_dir)
        if doc is None:
            raise ConfigError(f"{Path(design_dir) / cls.FILE}: not found; run `{cls.WRITER}` "
                              "first")
        return doc

    @classmethod
    def load_if_present(cls: type[D], design_dir: str | Path) -> D | None:
        """Like :meth:`load`, but ``None`` when the file does not exist."""
        path = Path(design_dir) / cls.FILE
        if not path.is_file():
            return None
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise FormatError(f"{path}: not valid JSON ({e}); {cls._hint()}") from e
        return cls.from_json(doc, str(path))


@cache
def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {f.name: hints[f.name] for f in fields(cls) if f.name != "extra"}


def _dump(v: Any) -> Any:
    if isinstance(v, Part):
        return v.to_json()
    if isinstance(v, dict):
        return {k: _dump(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_dump(x) for x in v]
    return v


def _load(v: Any, tp: Any, source: str, path: str, hint: str) -> Any:
    """``v`` checked against the annotation ``tp`` (Parts built, numbers kept as read)."""
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp is Any:
        return v
    if origin in (Union, types.UnionType):
        if v is None:
            return None
        (arm,) = [a for a in args if a is not type(None)]
        return _load(v, arm, source, path, hint)
    if isinstance(tp, type) and issubclass(tp, Part):
        return tp._build(v, source, path + ".", hint)
    if origin is list and isinstance(v, list):
        return [_load(x, args[0], source, f"{path}[{i}]", hint) for i, x in enumerate(v)]
    if origin is dict and isinstance(v, dict):
        return {k: _load(x, args[1], source, f"{path}[{k!r}]", hint) for k, x in v.items()}
    if tp in _EXPECTED and isinstance(v, tp if tp is not float else (int, float)) and (
            tp is bool or not isinstance(v, bool)):
        return v
    want = {list: "a list", dict: "an object"}.get(origin) or _EXPECTED.get(tp, str(tp))
    raise FormatError(f"{source}: {_where(path)}expected {want}, got {_show(v)}; {hint}")


def _where(path: str) -> str:
    return f"field {path.rstrip('.')!r}: " if path else ""


def _show(v: Any) -> str:
    text = json.dumps(v) if not isinstance(v, (dict, list)) else type(v).__name__
    return text if len(text) <= 40 else text[:37] + "..."
