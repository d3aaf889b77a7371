"""Warden's Python client: judge Discord messages, read the events feed, file appeals, tickets and
payment screenshots, with the API's errors as exceptions and its 503 contract honoured."""

from .client import TICKET_EVENTS, Client
from .errors import Unavailable, WardenError
from . import webhooks
from .types import Appeal, AppealDetail, AppealTriage, BatchResult, Decision, Event, EventPage, Snowflake, Ticket, Verification

__all__ = ["Client", "WardenError", "Unavailable", "TICKET_EVENTS", "Decision", "BatchResult", "Event",
           "EventPage", "Appeal", "AppealDetail", "AppealTriage", "Ticket", "Verification", "Snowflake", "webhooks"]
__version__ = "0.1.0"
