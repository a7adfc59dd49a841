"""The request types of the privacy center: what each needs (verification, step-up, a purpose) and which
regime's clock it runs on."""

from __future__ import annotations

from dataclasses import dataclass

from hushdesk.dsr.clocks import CCPA, GDPR


@dataclass(frozen=True)
class Kind:
    name: str
    title: str
    description: str
    verify: bool = True  # identity verified by a one-time code before anything happens
    step_up: bool = False  # a second factor before anything is destroyed
    regime: str | None = None  # forced regime (CCPA-only rights); None: the workspace's / requester's
    needs_purpose: bool = False
    exports: bool = False  # answered with an archive
    approval_by_default: bool = False


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("access", "Get a copy of my data",
             "A copy of everything we hold about you, with why we hold it and who receives it.", exports=True),
        Kind("portability", "Take my data elsewhere",
             "Your data in machine-readable form (JSON and CSV) to give to another service.", exports=True),
        Kind("rectification", "Correct my data", "Fix your name, email address or phone number."),
        Kind("erasure", "Erase my data",
             "Delete your data. Anonymised conversation statistics remain; records the law requires are kept.",
             step_up=True, approval_by_default=True),
        Kind("restriction", "Restrict processing",
             "We keep your data but stop using it (no AI drafting, statistics or optional messages)."),
        Kind("objection", "Object to processing",
             "Stop a use of your data based on our legitimate interests.", needs_purpose=False),
        Kind("withdraw_consent", "Withdraw consent", "Withdraw a consent you gave, for one purpose.",
             needs_purpose=True),
        Kind("deactivation", "Deactivate my account",
             "Hide your account and stop all processing; your data is kept until you ask otherwise."),
        Kind("ccpa_know", "Right to know (California)",
             "The categories and specific pieces of personal information we collected, from where, why and "
             "with whom we share them.", regime=CCPA, exports=True),
        Kind("opt_out_sale", "Do not sell or share my personal information (California)",
             "Opt out of the sale or sharing of your personal information.", verify=False, regime=CCPA),
        Kind("limit_sensitive", "Limit the use of my sensitive personal information (California)",
             "Limit its use to what is needed to provide the service.", verify=False, regime=CCPA),
        Kind("complaint", "Complain to our privacy officer",
             "Tell our privacy officer about a concern; you can also complain to a supervisory authority.",
             verify=False),
    )
}

FLAG_KINDS = {"restriction": "restricted", "objection": "objected", "deactivation": "deactivated",
              "opt_out_sale": "opt_out_sale", "limit_sensitive": "limit_sensitive"}
# Rights the CCPA also grants (know, delete, correct): a California resident's request runs on its clock.
CCPA_ALSO = ("access", "portability", "erasure", "rectification")
DENIAL_REASONS = ("identity_not_verified", "manifestly_unfounded", "excessive", "legal_exemption",
                  "agent_not_authorized", "duplicate", "withdrawn_by_requester", "subject_erased")
EXTENSION_REASONS = ("complexity", "number_of_requests")


def get_kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError as exc:
        raise ValueError(f"unknown request type {name!r}") from exc


def regime_for(kind: str, *, california: bool, default: str = GDPR) -> str:
    spec = get_kind(kind)
    if spec.regime:
        return spec.regime
    if california and kind in CCPA_ALSO:
        return CCPA
    return default
