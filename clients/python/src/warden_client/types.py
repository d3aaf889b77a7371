"""The shapes of Warden's answers, as typed dictionaries (the JSON as the API sends it).

Snowflakes (Discord ids) are strings in answers; methods accept them as ``int`` or ``str``.
"""

from __future__ import annotations

import sys
from typing import Any, Dict, List, Optional, Union

if sys.version_info >= (3, 11):
    from typing import NotRequired, TypedDict
else:  # pragma: no cover - older Pythons
    from typing_extensions import NotRequired, TypedDict

Snowflake = Union[int, str]


class Evidence(TypedDict):
    view: str
    start: int
    end: int
    text: str
    pattern: NotRequired[str]


class Match(TypedDict):
    rule: str
    rule_id: int
    type: str
    stage: str
    evidence: NotRequired[Evidence]
    action: NotRequired[Dict[str, Any]]


class Revision(TypedDict):
    """What a decision on an edit (``kind`` edit) or on embeds added later (``kind`` embeds) is linked to."""
    kind: str
    edited_timestamp: Optional[str]
    previous_verdict: Optional[str]
    previous_log_id: Optional[int]
    previous_rules: List[str]


class Decision(TypedDict):
    """A judged message (or member: then ``message_id`` and ``channel_id`` are None): ``verdict`` is allow,
    flag or block; ``actions`` are Discord-shaped (``type`` is delete_message, warn, timeout, kick, ban,
    set_nickname, incident_actions, add_role, alert, ...; ids are strings)."""
    message_id: Optional[str]
    guild_id: Optional[str]
    channel_id: Optional[str]
    user_id: Optional[str]
    verdict: str
    matches: List[Match]
    actions: List[Dict[str, Any]]
    escalation: Optional[Dict[str, Any]]
    log_id: Optional[int]
    errors: List[Any]
    stages: Dict[str, str]
    revision: NotRequired[Revision]


class BatchResult(TypedDict):
    """``results[i]`` is a :class:`Decision`, or ``{"index": i, "error": {"code", "message"}}``."""
    results: List[Dict[str, Any]]


class Event(TypedDict):
    id: int
    kind: str
    created_at: str
    payload: Dict[str, Any]


class EventPage(TypedDict):
    cursor: int
    events: List[Event]


class Appeal(TypedDict):
    id: int
    log_id: int
    guild_id: str
    user_id: str
    reason: str
    status: str
    note: Optional[str]
    decided_by: Optional[str]
    decided_at: Optional[str]
    created_at: str


class TriageInjection(TypedDict):
    """Whether the appeal (or its message) tries to instruct the model: ``by_model`` is what the model
    reported (None until it answered), ``appeal`` and ``message`` are Warden's own signals."""
    flagged: bool
    by_model: Optional[bool]
    appeal: List[str]
    message: List[str]


class AppealTriage(TypedDict):
    """The model's brief on an appeal, shown beside it; it never decides. ``suggestion`` is about the
    automatic action: ``uphold`` (it stands) or ``overturn`` (reverse it)."""
    status: str
    summary: Optional[str]
    evidence: List[str]
    suggestion: Optional[str]
    confidence: Optional[float]
    injection: TriageInjection
    note: Optional[str]
    model: Optional[str]
    prompt_hash: Optional[str]
    updated_at: str


class AppealDetail(TypedDict):
    """An appeal with what a moderator reviews: the automod ``log`` it appeals, the ``rule``, the
    ``evidence`` spans, the LLM's ``ai_analysis`` when there was one, and the ``triage`` when an LLM
    was configured as the appeal was filed."""
    appeal: Appeal
    log: Optional[Dict[str, Any]]
    rule: Optional[Dict[str, Any]]
    evidence: Any
    ai_analysis: Any
    triage: Optional[AppealTriage]


class Ticket(TypedDict):
    id: int
    guild_id: str
    user_id: str
    status: str
    description: str
    messages: List[Dict[str, Any]]
    created_at: str
    claimed_by: NotRequired[Optional[str]]


class Suggestion(TypedDict):
    """An FAQ entry suggested for a ticket; ``outcome`` is ``solved`` or ``closed_without_reply`` when it
    deflected the ticket."""
    entry_id: int
    rank: int
    score: float
    suggested_at: str
    title: NotRequired[Optional[str]]
    summary: NotRequired[Optional[str]]
    outcome: NotRequired[Optional[str]]
    outcome_at: NotRequired[Optional[str]]


class SuggestionPage(TypedDict):
    """A ticket's suggestions; ``status`` and ``changed`` too when the member said one solved it."""
    ticket_id: int
    suggestions: List[Suggestion]
    status: NotRequired[Optional[str]]
    changed: NotRequired[Optional[bool]]


class DeflectingEntry(TypedDict):
    entry_id: int
    suggested: int
    solved: int
    closed_without_reply: int
    deflected: int
    title: NotRequired[Optional[str]]
    deflection_rate: NotRequired[Optional[float]]


class Deflection(TypedDict):
    """A guild's FAQ deflection figures: rates are absent (None) when there is nothing to divide by."""
    guild_id: str
    tickets_opened: int
    tickets_suggested: int
    deflected: int
    solved: int
    closed_without_reply: int
    top_entries: List[DeflectingEntry]
    suggestion_rate: NotRequired[Optional[float]]
    deflection_rate: NotRequired[Optional[float]]
    since: NotRequired[Optional[str]]


class Verification(TypedDict):
    id: int
    guild_id: str
    user_id: str
    status: str
    attempts: int
    image_sha256: str
    created_at: str
    ai_reason: NotRequired[Optional[str]]
