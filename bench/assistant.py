"""Assistant benchmark: privacy overhead of a draft (prompt from redacted text + state decrypt + rehydration) vs the
provider call itself (a local fake with fixed latency), for a 30-message conversation; and retrieval top-3 hit
rate on a small set of our own question/article pairs.  Run: .venv/bin/python -m bench.assistant
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HUSHDESK_ENV", "test")

from sqlalchemy import select
from tests.assistant.conftest import configure, plant_article, planted_conversation
from tests.assistant.fake_openai import FakeOpenAI
from tests.conftest import make_settings
from tests.support.factories import make_world

from hushdesk.assistant import kb, prompting
from hushdesk.assistant import service as assistant
from hushdesk.assistant.settings import provider_for
from hushdesk.context import AppContext
from hushdesk.inbox import contacts as contact_svc
from hushdesk.inbox import repository as repo
from hushdesk.inbox.redacting import load_state
from hushdesk.migrate import upgrade
from hushdesk.models import AiCall, Contact, Conversation

PAIRS = [
    ("How do I reset my password?", "Resetting your password"),
    ("I forgot my login, what can I do", "Resetting your password"),
    ("Can I get my money back for an order?", "Refunds"),
    ("how long does a refund take", "Refunds"),
    ("Where is my parcel? It has not arrived", "Tracking a delivery"),
    ("my package is late", "Tracking a delivery"),
    ("Do you ship to Canada?", "Shipping countries"),
    ("which countries do you deliver to", "Shipping countries"),
    ("How can I change the delivery address of my order", "Changing an order"),
    ("I want to cancel my order", "Cancelling an order"),
    ("When is your support open?", "Opening hours"),
    ("Can I pay with PayPal?", "Payment methods"),
    ("Do you accept credit cards", "Payment methods"),
    ("How do I delete my account and data?", "Deleting your account"),
    ("send me a copy of my personal data", "Your privacy rights"),
]
ARTICLES = {
    "Resetting your password": "Forgot your password? Click 'Forgot password' on the login page and follow the "
                               "email link to choose a new password.",
    "Refunds": "Refunds are paid back to the original payment method within 5 working days after we receive "
               "the return. Money back is guaranteed for 30 days.",
    "Tracking a delivery": "Every parcel has a tracking link in the shipping email. Deliveries take 2-4 days; "
                           "if your package is late, contact us.",
    "Shipping countries": "We ship to the EU, the UK, the USA and Canada. Delivery to other countries is not "
                          "possible yet.",
    "Changing an order": "You can change the delivery address or items of an order until it ships.",
    "Cancelling an order": "Cancel an order from your account page before it ships; it is refunded in full.",
    "Opening hours": "Support is open Monday to Friday, 9:00-17:00 CET.",
    "Payment methods": "We accept credit cards (Visa, Mastercard), PayPal and bank transfer.",
    "Deleting your account": "To delete your account and your data, use the privacy center or write to us.",
    "Your privacy rights": "You can ask for a copy of your personal data, correct it or have it erased.",
}


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    settings = make_settings(tmp, ai_allow_private_urls=True)
    upgrade(settings.resolved_database_url)
    ctx = AppContext.create(settings)
    world = make_world(ctx)
    fake = FakeOpenAI(delay=0.05).start()
    configure(world, fake)
    for title, body in ARTICLES.items():
        plant_article(world, title, body)
    conv_id = planted_conversation(world, messages=30)
    overhead, provider = [], []
    for run in range(45):
        with ctx.unit_of_work() as uow:
            t0 = time.perf_counter()
            conv = uow.session.get(Conversation, conv_id)
            assert conv is not None and conv.contact_id
            contact = uow.session.get(Contact, conv.contact_id)
            assert contact is not None
            messages = repo.conversation_messages(uow.session, conv.workspace_id, conv.id)
            prompt = prompting.draft_prompt("Acme", messages, [])
            state = load_state(conv, contact_svc.cipher_for(uow, contact))
            t1 = time.perf_counter()
            answer = provider_for(uow, world.workspace_id).complete(prompt, max_tokens=200)
            t2 = time.perf_counter()
            prompting.rehydrate(state, answer.text)
            t3 = time.perf_counter()
        if run < 5:
            continue  # warm-up: first vault reads, first prompt build
        overhead.append((t1 - t0 + t3 - t2) * 1000)
        provider.append((t2 - t1) * 1000)
    # The whole service path (access + privacy gate + retrieval + prompt + provider + rehydration + AI-call log,
    # usage, encrypted draft, audit, commit), minus the provider's own time as the service measured it.
    full = []
    agent = world.owner.actor
    for run in range(45):
        t0 = time.perf_counter()
        with ctx.unit_of_work() as uow:
            result = assistant.draft_reply(uow, agent, conv_id)
            latency = uow.session.execute(select(AiCall.latency_ms).where(
                AiCall.conversation_id == conv_id).order_by(AiCall.created_at.desc()).limit(1)).scalar_one()
        t1 = time.perf_counter()
        assert result.error is None, result.error
        if run >= 5:
            full.append((t1 - t0) * 1000 - latency)
    fake.stop()

    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20)[18]

    print("draft, 30-message conversation (40 runs after 5 warm-up)")
    print(f"  redaction-side overhead  p50 {statistics.median(overhead):6.2f} ms   p95 {p95(overhead):6.2f} ms")
    print(f"  provider call (fake 50ms) p50 {statistics.median(provider):6.2f} ms   p95 {p95(provider):6.2f} ms")
    print(f"  ratio overhead/provider (p50): {statistics.median(overhead) / statistics.median(provider):.3f}")
    print(f"  full draft_reply minus provider p50 {statistics.median(full):6.2f} ms   p95 {p95(full):6.2f} ms "
          "(incl. retrieval, AI-call log, draft, audit, commit)")
    hits = 0
    with ctx.unit_of_work() as uow:
        for question, expected in PAIRS:
            top = [h.article.published_title for h in kb.search(uow, world.workspace_id, question, limit=3)]
            hits += expected in top
    print(f"retrieval top-3 hit rate ({ctx.db.dialect}): {hits}/{len(PAIRS)} = {hits / len(PAIRS):.0%}")
    ctx.close()


if __name__ == "__main__":
    main()
