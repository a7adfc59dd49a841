"""Access and portability archives, driven by the data map.

For every table that holds the contact's data (``dsr.locate``), every row is written with every column:
ciphertexts decrypted with the key they name, files written alongside. One zip holds ``data.json`` (all rows
and the right-to-know facts), one CSV per table and one per data category, the files, and a human-readable
``report.html``. The zip is encrypted at rest under its own key, fetched through an expiring single-purpose
link, and crypto-shredded and deleted when the link expires.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import inspect, select

from hushdesk.audit.service import record
from hushdesk.crypto import aead
from hushdesk.crypto.keyring import ContactCipher
from hushdesk.db import UnitOfWork
from hushdesk.dsr.locate import LOCATORS, place
from hushdesk.dsr.verification import token_digest
from hushdesk.kit.clock import utcnow
from hushdesk.kit.errors import NotFound
from hushdesk.kit.ids import new_id, new_token
from hushdesk.models import Base, Contact, DataSubjectRequest, DsrExport, PersonalData, Workspace
from hushdesk.privacy.facts import right_to_know

LINK_LIFETIME = timedelta(days=7)
MAX_DOWNLOADS = 5
SKIP_COLUMNS = ("token_hash", "key_id")  # our own secrets and key references, not the person's data
BINARY_COLUMNS = ("data_ct", "agent_permission_ct")
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))


@dataclass
class Collected:
    tables: dict[str, list[dict[str, Any]]]
    files: dict[str, bytes]  # archive path -> bytes
    categories: dict[str, list[tuple[str, str, str, str]]]  # category -> (table, row id, column, value)


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


class _Ciphers:
    """Decrypts with the key a row names (the contact's, or a request's own), caching one cipher per key."""

    def __init__(self, uow: UnitOfWork, workspace_id: str, default_key: str) -> None:
        self.uow, self.workspace_id, self.default_key = uow, workspace_id, default_key
        self._cache: dict[str, ContactCipher | None] = {}

    def for_row(self, row: Any, table: str) -> ContactCipher | None:
        key_id = getattr(row, "key_id", None)
        if table == "dsr_requests" and key_id is None:
            return None  # the requester's details were already forgotten
        key_id = key_id or self.default_key
        if key_id not in self._cache:
            try:
                self._cache[key_id] = self.uow.app.keyring.contact_cipher(self.workspace_id, key_id)
            except aead.DecryptionError:
                self._cache[key_id] = None
        return self._cache[key_id]


def collect(uow: UnitOfWork, contact: Contact) -> Collected:
    """Every row the data map attributes to ``contact``, decrypted. Reads only this contact's rows."""
    out = Collected({}, {}, {})
    ciphers = _Ciphers(uow, contact.workspace_id, contact.key_id)
    tables = {t.name: t for t in Base.metadata.sorted_tables}
    for table_name, locator in LOCATORS.items():
        columns = [c for c in tables[table_name].columns if c.name not in SKIP_COLUMNS]
        rows_out: list[dict[str, Any]] = []
        for row in uow.session.execute(locator(contact.workspace_id, contact.id)).scalars():
            cipher = ciphers.for_row(row, table_name)
            values: dict[str, Any] = {}
            for column in columns:
                info = column.info.get("pii")
                raw = getattr(row, inspect(type(row)).get_property_by_column(column).key)
                name, value = column.name, raw
                if isinstance(info, PersonalData) and info.encrypted:
                    name = column.name.removesuffix("_ct")
                    value = _decrypt(out, cipher, table_name, column.name, row.id, raw)
                values[name] = _json_value(value)
                if isinstance(info, PersonalData) and value is not None:
                    out.categories.setdefault(info.category, []).append((table_name, row.id, name, str(value)))
            rows_out.append(values)
        out.tables[table_name] = rows_out
    _name_files(out)
    return out


def _decrypt(out: Collected, cipher: ContactCipher | None, table: str, column: str, row_id: str,
             raw: bytes | None) -> Any:
    if raw is None or cipher is None:
        return None
    data = cipher.decrypt_bytes(raw, place(table, column, row_id))
    if column in BINARY_COLUMNS:
        path = f"files/{table}/{row_id}/{column.removesuffix('_ct')}"
        out.files[path] = data
        return path
    return data.decode("utf-8", errors="replace")


def _name_files(out: Collected) -> None:
    """Give attachment files their original names inside the archive."""
    for att in out.tables.get("attachments", []):
        old = att.get("data")
        if isinstance(old, str) and old in out.files:
            safe = "".join(ch for ch in str(att.get("filename") or "file") if ch.isalnum() or ch in "._- ")[:100]
            new = f"files/attachments/{att['id']}/{safe or 'file'}"
            out.files[new] = out.files.pop(old)
            att["data"] = new


def _csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    if rows:
        writer = csv.DictWriter(buf, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)
    return buf.getvalue()


def build_zip(ws: Workspace, contact_id: str, request_id: str, collected: Collected) -> bytes:
    facts = right_to_know(ws).as_dict()
    generated = utcnow().isoformat()
    document = {"format": "hushdesk-export/1", "generated_at": generated, "business": ws.name,
                "request_id": request_id, "subject": {"contact_id": contact_id}, "tables": collected.tables,
                "right_to_know": facts}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("data.json", json.dumps(document, indent=2, ensure_ascii=False, default=str))
        zf.writestr("right_to_know.json", json.dumps(facts, indent=2, ensure_ascii=False))
        for table, rows in collected.tables.items():
            zf.writestr(f"csv/{table}.csv", _csv(rows))
        for category, cells in collected.categories.items():
            rows = [{"table": t, "row_id": r, "field": c, "value": v} for t, r, c, v in cells]
            zf.writestr(f"categories/{category}.csv", _csv(rows))
        for path, data in collected.files.items():
            zf.writestr(path, data)
        html = _env.get_template("dsr/export_report.html").render(
            business=ws.name, generated=generated, tables=collected.tables, facts=facts, request_id=request_id)
        zf.writestr("report.html", html)
        zf.writestr("README.txt", f"Your data held by {ws.name}.\n\nreport.html: readable report\n"
                    "data.json: everything, machine-readable\ncsv/: one file per table\n"
                    "categories/: one file per category of data\nfiles/: files you sent\n")
    return buf.getvalue()


def archive_path(uow: UnitOfWork, export_id: str) -> Path:
    return uow.app.settings.data_dir / "exports" / f"{export_id}.bin"


def build(uow: UnitOfWork, request: DataSubjectRequest, contact: Contact) -> DsrExport:
    """Collect, zip, encrypt under a fresh key, store; the link is created when the archive is released."""
    ws = uow.session.get(Workspace, request.workspace_id)
    assert ws is not None
    collected = collect(uow, contact)
    data = build_zip(ws, contact.id, request.id, collected)
    cipher = uow.app.keyring.create_contact_key(ws.id)
    export = DsrExport(id=new_id("dx"), workspace_id=ws.id, request_id=request.id, key_id=cipher.key_id,
                       token_hash=token_digest(new_token(24)), expires_at=utcnow() + LINK_LIFETIME, size=len(data),
                       download_count=0)
    path = archive_path(uow, export.id)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cipher.encrypt(data, f"dsr_exports.archive:{export.id}"))
    uow.session.add(export)
    counts = {t: len(rows) for t, rows in collected.tables.items() if rows}
    record(uow.session, None, "dsr.export.built", workspace_id=ws.id, target_type="dsr", target_id=request.id,
           details={"export_id": export.id, "rows": counts, "files": len(collected.files)},
           request_id=uow.request_id)
    return export


def release(uow: UnitOfWork, export: DsrExport) -> str:
    """A new download token (the only copy goes into the email); the link expires with the archive."""
    token = new_token(32)
    export.token_hash = token_digest(token)
    export.released_at = utcnow()
    export.expires_at = export.released_at + LINK_LIFETIME
    return token


def download(uow: UnitOfWork, ws: Workspace, token: str) -> tuple[str, bytes]:
    """The archive behind a download link: refused once expired, deleted or used up (404, nothing else said)."""
    export = uow.session.execute(
        select(DsrExport).where(DsrExport.token_hash == token_digest(token),
                                                         DsrExport.workspace_id == ws.id)
    ).scalar_one_or_none()
    now = utcnow()
    if (export is None or export.released_at is None or export.deleted_at is not None or export.expires_at <= now
            or export.download_count >= MAX_DOWNLOADS or export.key_id is None):
        raise NotFound("this download link is not valid any more")
    cipher = uow.app.keyring.contact_cipher(ws.id, export.key_id)
    data = cipher.decrypt_bytes(archive_path(uow, export.id).read_bytes(), f"dsr_exports.archive:{export.id}")
    export.download_count += 1
    record(uow.session, None, "dsr.export.downloaded", workspace_id=ws.id, target_type="dsr",
           target_id=export.request_id, details={"export_id": export.id, "count": export.download_count},
           request_id=uow.request_id)
    return f"{ws.slug}-data-{export.request_id}.zip", data


def destroy(uow: UnitOfWork, export: DsrExport) -> None:
    """Crypto-shred the archive's key and delete the file (an expired link, or the subject was erased)."""
    if export.key_id:
        uow.app.keyring.destroy_contact_key(export.workspace_id, export.key_id)
    archive_path(uow, export.id).unlink(missing_ok=True)
    export.key_id = None
    export.deleted_at = export.deleted_at or utcnow()
