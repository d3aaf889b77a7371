"""Warden's Python client: judge Discord messages, read the events feed, file appeals, tickets and
payment screenshots, FAQ suggestions and ticket transcripts, with the API's errors as exceptions and its 503 contract honoured."""

from .client import CASE_ACTIONS, GATEWAY_EVENTS, TICKET_EVENTS, TRANSCRIPT_FORMATS, Client
from .errors import Unavailable, WardenError
from . import webhooks
from .types import (Appeal, AppealDetail, AppealTriage, BatchResult, Decision, Deflection, Event, EventPage, Snowflake,
                    Suggestion, SuggestionPage, Ticket, Verification)

__all__ = ["Client", "WardenError", "Unavailable", "TICKET_EVENTS", "TRANSCRIPT_FORMATS", "GATEWAY_EVENTS", "CASE_ACTIONS", "Decision", "BatchResult", "Event",
           "EventPage", "Appeal", "AppealDetail", "AppealTriage", "Ticket", "Suggestion", "SuggestionPage", "Deflection",
           "Verification", "Snowflake", "webhooks"]
__version__ = "0.1.0"
