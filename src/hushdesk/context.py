"""The application context: the long-lived machinery every request and job shares."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from hushdesk.audit.tasks import register_periodic
from hushdesk.config import Settings
from hushdesk.crypto.keyring import Keyring
from hushdesk.crypto.providers import EnvKeyProvider, FileKeyProvider, MasterKeyProvider
from hushdesk.crypto.vault import KeyVault
from hushdesk.db import Database, UnitOfWork
from hushdesk.realtime.bus import EventBus
from hushdesk.worker.jobs import JobQueue, make_huey

log = logging.getLogger(__name__)


def make_key_provider(settings: Settings) -> MasterKeyProvider:
    if settings.master_key_provider == "env":
        return EnvKeyProvider(settings.master_key)
    return FileKeyProvider(settings.resolved_master_key_file)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    keyring: Keyring
    jobs: JobQueue
    events: EventBus = field(default_factory=EventBus)

    @classmethod
    def create(cls, settings: Settings) -> AppContext:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        db = Database(settings.resolved_database_url)
        vault = KeyVault(settings.resolved_keyvault_url)
        keyring = Keyring(make_key_provider(settings), vault)
        huey = make_huey(settings.queue, queue_file=str(settings.queue_file), redis_url=settings.redis_url)
        ctx = cls(settings=settings, db=db, keyring=keyring, jobs=JobQueue(huey))
        ctx.jobs.bind(ctx)
        register_periodic(ctx.jobs)  # scheduled audit-chain verification (audit/tasks.py)
        return ctx

    @contextmanager
    def unit_of_work(self, request_id: str | None = None) -> Iterator[UnitOfWork]:
        with self.db.unit_of_work(self, request_id) as uow:
            yield uow

    @contextmanager
    def read_only(self, request_id: str | None = None) -> Iterator[UnitOfWork]:
        with self.db.read_only(self, request_id) as uow:
            yield uow

    def close(self) -> None:
        self.db.dispose()
        self.keyring.vault.dispose()
