#!/usr/bin/env python3
# Writes the OpenAPI document of the service: python3 scripts/openapi.py > Sources/WardenServer/OpenAPI/openapi.json
# The route table below is the one place to describe a route; the OpenAPI test checks the result against the router.
# Rule types, spam detectors and action types come from scripts/kinds.json, which KindListTests holds to the
# Swift registries (RuleKinds.all, SpamDetector, ActionKinds.all).
import json, os
KINDS = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "kinds.json")))
G = {"name": "guild", "in": "path", "required": True, "schema": {"$ref": "#/components/schemas/Snowflake"}, "description": "Discord guild id", "example": "1100000000000000001"}
# Examples name rows that scripts/api-fuzz.sh creates first, so the fuzzer also reaches real records.
# Token 1 is the fuzzer's own; token 2 is a spare it may revoke.
EXAMPLES = {"name": "mention-spam", "scope": "automod", "key": "mod_channel_id", "token": "2"}
def p(name, desc, schema=None):
    return {"name": name, "in": "path", "required": True, "schema": schema or {"type": "string", "pattern": "^[0-9]+$"}, "description": desc, "example": EXAMPLES.get(name, "1")}
def q(name, desc, schema, required=False):
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": desc}
INT = {"type": "integer"}
# The events feed's kinds (WardenApp.eventKinds; the webhook routes test holds the two together).
EVENT_KINDS = ["llm_verdict", "appeal_reversal", "appeal_denied", "verification", "raid_started", "raid_ended", "manual_action", "punishment_expired"]
# Warden's own check for instruction-like text in an appeal (InstructionSignals.Signal).
INSTRUCTION_SIGNALS = ["ignores_instructions", "assigns_role", "addresses_the_model", "dictates_the_answer", "chat_markup", "forges_boundary"]
routes = [
 ("post", "/v1/messages", ["bot"], "Judge one Discord message", "Body: Discord's Message object as the bot receives it. Answers the decision once its log is durable; a re-delivered message gets its first decision back.", [], "DiscordMessage", "Decision"),
 ("post", "/v1/messages/batch", ["bot"], "Judge a batch of messages", "Body: a JSON array of Discord messages (at most 1000), judged in order and committed together. Each element answers its decision or {index, error}.", [], "MessageBatch", "BatchResult"),
 ("post", "/v1/gateway", ["bot"], "Send Gateway dispatches", "Body: a Discord Gateway dispatch exactly as the bot receives it ({op: 0, t, s, d}), or a JSON array of them (at most 1000, handled in order). MESSAGE_CREATE is judged as by /v1/messages; MESSAGE_UPDATE judges an edit (idempotent per message id and edited_timestamp) or embeds added later, linked to the message's earlier decision (revision); AUTO_MODERATION_ACTION_EXECUTION records Discord's native AutoMod hit once per hit (source discord_automod), counted in escalation per automod.discord_automod_points. Other events, and updates with nothing to judge, answer {ignored, reason}. An array answers {results} in order, a bad element {index, error} in its place.", [], "GatewayBody", "GatewayReply"),
 ("get", "/v1/guilds/{guild}/events", ["bot", "moderator"], "Read the events feed (long-poll)", "Late actions for the bot: llm_verdict, appeal_reversal, appeal_denied, verification (also sent to webhooks). Pass the answer's cursor as the next call's after.", [G, q("after", "the cursor: events after this id", INT), q("limit", "1-500 (100)", INT), q("wait", "seconds to wait for the first event, 0-60 (0)", INT)], None, "EventPage"),
 ("post", "/v1/guilds/{guild}/appeals", ["bot"], "File an appeal for a member", "One appeal per automod log, within the guild's window (appeal_window_days, default 14), by the member the log is about.", [G], "AppealFiling", "Appeal"),
 ("get", "/v1/guilds/{guild}/appeals", ["moderator"], "List appeals", "With the log, the message, the rule hit, the evidence, the AI analysis and the triage (the model's brief, when an LLM is configured; it never decides).", [G, q("status", "pending (default), approved or denied", {"type": "string", "enum": ["pending", "approved", "denied"]}), q("limit", "1-500 (100)", INT)], None, "AppealPage"),
 ("get", "/v1/guilds/{guild}/appeals/{appeal}", ["moderator"], "Show an appeal", "", [G, p("appeal", "appeal id")], None, "AppealDetail"),
 ("post", "/v1/guilds/{guild}/appeals/{appeal}/approve", ["moderator"], "Approve an appeal", "Reverses the action (appeal_reversal event with remove_timeout/unban), refunds the points the log added, counts a false positive, audited in admin_log.", [G, p("appeal", "appeal id")], "AppealDecision", "Appeal"),
 ("post", "/v1/guilds/{guild}/appeals/{appeal}/deny", ["moderator"], "Deny an appeal", "A note is required; audited in admin_log; appeal_denied event.", [G, p("appeal", "appeal id")], "AppealDecision", "Appeal"),
 ("post", "/v1/guilds/{guild}/cases", ["moderator"], "Record a manual action", "warn, timeout (duration_seconds required), mute (the guild's automod.mute_role_id; with a duration it ends by itself), kick, ban (with a duration, temporary), unban, unmute (both end a running temporary one) or note. Opens the guild's next case, audited in admin_log; the Discord actions go to the bot as a manual_action event (none for a note); a temporary ban or mute's end is a punishment_expired event, once. A warning adds automod.manual_warning_points. moderator_id defaults to the token's user.", [G], "CaseOpening", "CaseRecorded"),
 ("get", "/v1/guilds/{guild}/cases", ["moderator"], "List cases", "Every action against members, automatic (source automod, with its log) and manual, newest first.", [G, q("user", "only this member's", {"type": "string", "pattern": "^[0-9]{1,19}$"}), q("before", "cases numbered below this (keyset)", INT), q("limit", "1-500 (100)", INT)], None, "CasePage"),
 ("get", "/v1/guilds/{guild}/cases/{number}", ["moderator"], "Show a case", "", [G, p("number", "case number")], None, "Case"),
 ("patch", "/v1/guilds/{guild}/cases/{number}", ["moderator"], "Correct a case's reason", "Audited in admin_log with the reason before and after.", [G, p("number", "case number")], "CaseEdit", "Case"),
 ("delete", "/v1/guilds/{guild}/users/{user}", ["admin"], "Forget a member", "Removes what Warden keeps about the member in this guild: automod logs and appeals, points, cases, ended temporary punishments (a running one stays so its end still lifts it), joins, LLM quota counts, appeal-form sessions, screenshot verifications; their tickets keep their rows with the text replaced. Audited in admin_log with the counts.", [G, p("user", "member id")], None, "Forgotten"),
 ("get", "/v1/guilds/{guild}/users/{user}/history", ["moderator"], "A member's automod history", "Logs (newest first), escalation points per rule type, cases and running temporary punishments.", [G, p("user", "member id"), q("limit", "1-500 (50)", INT)], None, "MemberHistory"),
 ("post", "/v1/guilds/{guild}/tickets", ["bot", "staff", "moderator"], "Open a support ticket", "", [G], "TicketOpening", "Ticket"),
 ("get", "/v1/guilds/{guild}/tickets/{ticket}", ["bot", "staff", "moderator"], "Show a ticket with its messages", "", [G, p("ticket", "ticket id")], None, "Ticket"),
 ("post", "/v1/guilds/{guild}/tickets/{ticket}/messages", ["bot", "staff", "moderator"], "Add a message to a ticket", "", [G, p("ticket", "ticket id")], "TicketMessage", "Created"),
 ("post", "/v1/guilds/{guild}/tickets/{ticket}/transitions", ["bot", "staff", "moderator"], "Move a ticket through its states", "Events: claim (by), wait_for_user, user_replied, escalate (by: role id), close, reopen, archive (by). Closing enqueues the AI summary. An invalid transition is 409 and changes nothing.", [G, p("ticket", "ticket id")], "TicketTransition", "Ticket"),
 ("post", "/v1/guilds/{guild}/verifications", ["bot"], "Upload a payment screenshot", "Body: the image bytes (PNG, JPEG or WebP, at most 10 MiB) with their Content-Type. The vision check runs as a job; its result arrives as a verification event.", [G, q("user_id", "the member", {"$ref": "#/components/schemas/Snowflake"}, True), q("channel_id", "the channel", {"$ref": "#/components/schemas/Snowflake"})], "Image", "Verification"),
 ("post", "/v1/guilds/{guild}/tickets/{ticket}/suggestions", ["bot", "staff", "moderator"], "Suggest FAQ answers for a ticket", "Searches the FAQ the guild sees (its entries and global ones) with the ticket's first message and records up to limit hits (1-10, default 3) as the ticket's suggestions, best first; asking again answers what was recorded. The body may be left out. A closed or archived ticket is 409 ticket_finished.", [G, p("ticket", "ticket id")], "SuggestionRequest", "SuggestionPage"),
 ("post", "/v1/guilds/{guild}/tickets/{ticket}/suggestions/{entry}/solved", ["bot"], "Record that a suggested answer solved the ticket", "The member's \"this solved it\", through the bot (a staff or moderator token gets 403): user_id must be the member who opened the ticket (400 otherwise) and the entry one suggested for it (409 not_suggested); on a finished ticket only in place of a close without a reply (409 ticket_finished otherwise). The ticket is deflected by that entry and closed if it was not finished. Saying it again changes nothing (changed: false); naming another entry after one was named is 409 already_solved.", [G, p("ticket", "ticket id"), p("entry", "FAQ entry id")], "SolvedBy", "SuggestionPage"),
 ("get", "/v1/guilds/{guild}/tickets/{ticket}/transcript", ["bot", "staff", "moderator"], "Export a ticket's transcript", "The whole conversation as JSON, Markdown or a standalone HTML page (no script; member text escaped for each form; invisible characters shown as [U+XXXX]). Attachments are the URLs the messages hold, listed as text and not fetched. An unknown format is 400 naming the allowed ones.", [G, p("ticket", "ticket id"), q("format", "json (default), markdown or html", {"type": "string", "enum": ["json", "markdown", "html"]})], None, "Transcript"),
 ("get", "/v1/guilds/{guild}/verifications", ["moderator"], "List verifications awaiting review", "", [G, q("limit", "1-500 (100)", INT)], None, "VerificationPage"),
 ("get", "/v1/guilds/{guild}/verifications/{verification}", ["bot", "moderator"], "Show a verification", "", [G, p("verification", "verification id")], None, "Verification"),
 ("post", "/v1/guilds/{guild}/verifications/{verification}/resolve", ["moderator"], "Resolve a review", "verified true, or false with a rejection_reason (closed_manual); audited.", [G, p("verification", "verification id")], "VerificationResolution", "Verification"),
 ("get", "/v1/guilds/{guild}/faq/proposals", ["staff"], "List pending FAQ proposals", "", [G, q("limit", "1-500 (100)", INT)], None, "ProposalPage"),
 ("get", "/v1/guilds/{guild}/faq/proposals/{proposal}", ["staff"], "Show a proposal with its source summaries", "", [G, p("proposal", "proposal id")], None, "Proposal"),
 ("patch", "/v1/guilds/{guild}/faq/proposals/{proposal}", ["staff"], "Edit a pending proposal's draft", "Audited; the proposal stays pending.", [G, p("proposal", "proposal id")], "ProposalEdits", "Proposal"),
 ("post", "/v1/guilds/{guild}/faq/proposals/{proposal}/approve", ["staff"], "Approve a proposal (with optional edits) into the FAQ", "", [G, p("proposal", "proposal id")], "ProposalEdits", "FAQEntry"),
 ("post", "/v1/guilds/{guild}/faq/proposals/{proposal}/reject", ["staff"], "Reject a proposal with a reason", "", [G, p("proposal", "proposal id")], "ProposalRejection", "Proposal"),
 ("get", "/v1/guilds/{guild}/faq/deflection", ["staff"], "FAQ deflection figures", "Over the tickets opened in the last days days (all time when absent): tickets opened, those that got a suggestion (suggestion_rate), those deflected (deflection_rate = deflected / suggested), by the member's word (solved) or by closing with no message from anyone but the opener (closed_without_reply), and the top entries that deflected most.", [G, q("days", "1-3650 (all time when absent)", INT), q("top", "1-100 (10)", INT)], None, "Deflection"),
 ("get", "/v1/guilds/{guild}/faq/search", ["bot", "staff"], "Search the FAQ", "Ranked by title, summary and keywords; logged in faq_search_logs.", [G, q("q", "the question", {"type": "string"}, True), q("user_id", "who asked", {"$ref": "#/components/schemas/Snowflake"}), q("limit", "1-50 (5)", INT)], None, "SearchResults"),
 ("get", "/v1/guilds/{guild}/rules", ["admin"], "List the guild's rules", "", [G], None, "RulePage"),
 ("put", "/v1/guilds/{guild}/rules/{name}", ["admin"], "Create or replace a rule", "Body: one rule as in a pack file, as a JSON object (Content-Type application/json, read as JSON) or as YAML when the Content-Type says application/yaml; validated like `warden rules check`. Answers once the guild's rules are compiled again (its messages are judged with the previous rules until then). A change that would take the guild past its rule limits (200,000 keywords, 2,000 patterns, 8 MiB of rules) is 422 rule_limit naming the limit.", [G, p("name", "rule name", {"type": "string"})], "Rule", "Rule"),
 ("post", "/v1/guilds/{guild}/rules/{name}/enable", ["admin"], "Enable a rule", "", [G, p("name", "rule name", {"type": "string"})], None, "RuleState"),
 ("post", "/v1/guilds/{guild}/rules/{name}/disable", ["admin"], "Disable a rule", "", [G, p("name", "rule name", {"type": "string"})], None, "RuleState"),
 ("post", "/v1/guilds/{guild}/rules/dry-run", ["admin"], "Dry-run a message against the guild's rules", "Nothing is stored, no escalation, spam windows start empty, the LLM stage does not run.", [G], "DiscordMessage", "Decision"),
 ("post", "/v1/guilds/{guild}/rules/backtest", ["admin"], "Backtest a rule change before saving it", "Replays the guild's rules as they are and as they would be after the change (rule: put one rule; enable or disable: a rule's name) against the admin's messages and the guild's automod logs, newest first (at most max_logs, 100,000, within 30 s; one backtest per guild and two across guilds at a time, 409 backtest_running otherwise): how many it would newly flag and stop flagging, with the logs' appeals (approved ones are known false positives) and up to 20 examples each. Spam rules that count over a window and ai rules are left out (left_out). Nothing is stored. A change saving would refuse is refused the same way (404 for an unknown rule, 422 rule_limit).", [G], "RuleBacktestRequest", "RuleBacktest"),
 ("get", "/v1/guilds/{guild}/settings", ["admin"], "List settings of a scope", "", [G, q("scope", "automod (default), support, gpt_usage, ...", {"type": "string"})], None, "SettingPage"),
 ("put", "/v1/guilds/{guild}/settings/{scope}/{key}", ["admin"], "Change a setting", "Validated against what its reader accepts; kept in settings_history.", [G, p("scope", "settings scope", {"type": "string"}), p("key", "setting key", {"type": "string"})], "SettingChange", "Setting"),
 ("get", "/v1/guilds/{guild}/settings/{scope}/{key}/history", ["admin"], "A setting's history", "", [G, p("scope", "settings scope", {"type": "string"}), p("key", "setting key", {"type": "string"}), q("limit", "1-500 (50)", INT)], None, "SettingHistory"),
 ("post", "/v1/guilds/{guild}/settings/{scope}/{key}/rollback", ["admin"], "Restore the value a setting had before a change", "", [G, p("scope", "settings scope", {"type": "string"}), p("key", "setting key", {"type": "string"})], "SettingRollback", "Setting"),
 ("post", "/v1/tokens", ["admin"], "Create an API token", "The token text is in this answer only. A guild's admin can create tokens for that guild only.", [], "TokenRequest", "CreatedToken"),
 ("get", "/v1/tokens", ["admin"], "List tokens (never their text)", "", [], None, "TokenPage"),
 ("delete", "/v1/tokens/{token}", ["admin"], "Revoke a token", "", [p("token", "token id")], None, None),
 ("post", "/v1/webhooks", ["admin"], "Register a webhook endpoint", "Every event of the feed (of one guild, or every guild when guild_id is absent; of the kinds in events, or all) is POSTed to url, signed with HMAC-SHA256 in X-Warden-Signature (README, Webhooks). The secret is in this answer only. A guild's admin registers for that guild only.", [], "WebhookRegistration", "CreatedWebhook"),
 ("get", "/v1/webhooks", ["admin"], "List webhook endpoints (never their secrets)", "With each endpoint's pending and dead deliveries. A guild's admin sees that guild's endpoints.", [], None, "WebhookPage"),
 ("get", "/v1/webhooks/{webhook}", ["admin"], "Show a webhook endpoint", "", [p("webhook", "webhook id")], None, "Webhook"),
 ("delete", "/v1/webhooks/{webhook}", ["admin"], "Remove a webhook endpoint", "Its deliveries not yet sent are dropped.", [p("webhook", "webhook id")], None, None),
 ("post", "/v1/webhooks/{webhook}/secret", ["admin"], "Rotate the signing secret", "The new secret is in this answer only; the old one keeps signing beside it (a second v1= in the header) for keep_previous_seconds (default 86400, at most 604800; 0 drops it at once).", [p("webhook", "webhook id")], "SecretRotation", "CreatedWebhook"),
 ("get", "/v1/webhooks/{webhook}/deliveries", ["admin"], "List an endpoint's deliveries", "Newest first. dead: given up (a refusal, or 24 hours of failures); it holds its guild's stream until replayed.", [p("webhook", "webhook id"), q("status", "pending, delivered or dead (all when absent)", {"type": "string", "enum": ["pending", "delivered", "dead"]}), q("limit", "1-500 (100)", INT)], None, "DeliveryPage"),
 ("post", "/v1/webhooks/{webhook}/replay", ["admin"], "Send dead deliveries again", "Of one guild, or every guild; each stream goes on from its dead delivery, in order, with the same delivery ids and a new retry window.", [p("webhook", "webhook id")], "Replay", "Replayed"),
 ("get", "/health", [], "Health", "Store, LLM circuit, uptime; a check is reused for a second and recorded in health_check_history (30 days) at most once a minute. 503 when the store is down.", [], None, "Health"),
 ("get", "/metrics", [], "Prometheus metrics", "Text exposition format. Open like /health: keep the port on a private network.", [], None, "Metrics"),
 ("get", "/openapi.json", [], "This document", "", [], None, "OpenAPI"),
]
def nullable(schema):
    """A field that is absent is answered as null, so every optional field of a response may be null."""
    if schema.get("type") and isinstance(schema["type"], str):
        return {**schema, "type": [schema["type"], "null"]}
    return {"anyOf": [schema, {"type": "null"}]} if schema else schema
obj = lambda props, req=(): {"type": "object", "properties": {k: (v if k in req else nullable(v)) for k, v in props.items()}, "required": list(req)}
S = {"$ref": "#/components/schemas/Snowflake"}
# A body whose unknown fields are refused (400 naming the field).
strict = lambda props, req=(): {**obj(props, req), "additionalProperties": False}
schemas = {
 "Snowflake": {"type": "string", "pattern": "^[0-9]{1,20}$", "description": "A Discord id as a string (numbers are accepted in requests)."},
 "Error": obj({"error": obj({"code": {"type": "string"}, "message": {"type": "string"}}, ["code", "message"])}, ["error"]),
 "DiscordMessage": {"type": "object", "description": "Discord's Message object: id, guild_id, channel_id, author{id,username,bot}, member{roles}, content (<= 4000 characters), mentions, mention_roles, mention_everyone, attachments, embeds, sticker_items, timestamp.", "required": ["id", "guild_id", "channel_id", "author", "content", "timestamp"]},
 "GatewayDispatch": {"type": "object", "description": "A Gateway dispatch: op 0 (or absent), t the event name, s the sequence number, d the event's object (Discord's own fields; unknown ones are ignored).", "properties": {"op": {"type": "integer", "enum": [0]}, "t": {"type": "string", "examples": ["MESSAGE_CREATE", "MESSAGE_UPDATE", "AUTO_MODERATION_ACTION_EXECUTION"]}, "s": {"type": ["integer", "null"]}, "d": {"type": "object"}}, "required": ["t", "d"]},
 "GatewayBody": {"anyOf": [{"$ref": "#/components/schemas/GatewayDispatch"}, {"type": "array", "items": {"$ref": "#/components/schemas/GatewayDispatch"}, "maxItems": 1000}]},
 "GatewayIgnored": obj({"ignored": {"type": "string", "description": "the event name"}, "reason": {"type": "string"}}, ["ignored", "reason"]),
 "GatewayReply": {"anyOf": [{"$ref": "#/components/schemas/Decision"}, {"$ref": "#/components/schemas/GatewayIgnored"}, obj({"results": {"type": "array", "items": {"anyOf": [{"$ref": "#/components/schemas/Decision"}, {"$ref": "#/components/schemas/GatewayIgnored"}, obj({"index": {"type": "integer"}, "error": {"$ref": "#/components/schemas/Error/properties/error"}}, ["index", "error"])]}}}, ["results"])]},
 "MessageBatch": {"type": "array", "items": {"$ref": "#/components/schemas/DiscordMessage"}, "maxItems": 1000},
 "Decision": obj({"message_id": S, "guild_id": S, "channel_id": S, "user_id": S, "verdict": {"type": "string", "enum": ["allow", "flag", "block"]}, "matches": {"type": "array", "items": {"type": "object"}}, "actions": {"type": "array", "items": {"$ref": "#/components/schemas/DiscordAction"}}, "escalation": {"type": "object"}, "log_id": {"type": "integer"}, "stages": {"type": "object", "additionalProperties": {"type": "string"}}, "analysis": {"type": "object"}, "revision": obj({"kind": {"type": "string", "enum": ["edit", "embeds"]}, "edited_timestamp": {"type": ["string", "null"]}, "previous_verdict": {"type": ["string", "null"]}, "previous_log_id": {"type": ["integer", "null"]}, "previous_rules": {"type": "array", "items": {"type": "string"}}}, ["kind", "previous_rules"])}, ["message_id", "verdict", "matches", "actions"]),
 "DiscordAction": obj({"type": {"type": "string", "enum": KINDS["discord_action_types"]}, "channel_id": S, "message_id": S, "user_id": S, "communication_disabled_until": {"type": "string"}, "duration_seconds": {"type": "integer"}, "delete_message_seconds": {"type": "integer"}, "reason": {"type": "string"}, "content": {"type": "string"}, "nick": {"type": "string"}, "role_id": S, "invites_disabled_until": {"type": "string"}, "dms_disabled_until": {"type": "string"}}, ["type"]),
 "BatchResult": obj({"results": {"type": "array", "items": {"oneOf": [{"$ref": "#/components/schemas/Decision"}, obj({"index": {"type": "integer"}, "error": {"$ref": "#/components/schemas/Error/properties/error"}}, ["index", "error"])]}}}, ["results"]),
 "EventPage": obj({"events": {"type": "array", "items": obj({"id": {"type": "integer"}, "kind": {"type": "string"}, "created_at": {"type": "string"}, "payload": {"type": "object"}})}, "cursor": {"type": "integer"}}, ["events", "cursor"]),
 "AppealFiling": obj({"log_id": {"type": "integer"}, "user_id": S, "reason": {"type": "string", "maxLength": 2000}}, ["log_id", "user_id", "reason"]),
 "AppealDecision": obj({"moderator_id": S, "note": {"type": "string", "maxLength": 2000}}, ["moderator_id"]),
 "Appeal": obj({"id": {"type": "integer"}, "log_id": {"type": "integer"}, "guild_id": S, "user_id": S, "reason": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "approved", "denied"]}, "decided_by": S, "note": {"type": "string"}, "created_at": {"type": "string"}, "decided_at": {"type": "string"}}),
 "AppealDetail": obj({"appeal": {"$ref": "#/components/schemas/Appeal"}, "log": {"type": "object"}, "rule": {"type": "object"}, "evidence": {}, "ai_analysis": {}, "triage": {"$ref": "#/components/schemas/AppealTriage"}}),
 "AppealTriage": obj({"status": {"type": "string", "enum": ["queued", "done", "skipped", "failed"]}, "summary": {"type": "string"}, "evidence": {"type": "array", "items": {"type": "string"}}, "suggestion": {"type": "string", "enum": ["uphold", "overturn"], "description": "about the automatic action: uphold (it stands; deny the appeal) or overturn (reverse it; approve the appeal). A suggestion only."}, "confidence": {"type": "number", "minimum": 0, "maximum": 1}, "injection": obj({"flagged": {"type": "boolean"}, "by_model": {"type": "boolean"}, "appeal": {"type": "array", "items": {"type": "string", "enum": INSTRUCTION_SIGNALS}}, "message": {"type": "array", "items": {"type": "string", "enum": INSTRUCTION_SIGNALS}}}, ["flagged", "appeal", "message"]), "note": {"type": "string"}, "model": {"type": "string"}, "prompt_hash": {"type": "string"}, "updated_at": {"type": "string"}}, ["status", "evidence", "injection"]),
 "AppealPage": obj({"appeals": {"type": "array", "items": {"$ref": "#/components/schemas/AppealDetail"}}}),
 "MemberHistory": obj({"guild_id": S, "user_id": S, "points": {"type": "array", "items": {"type": "object"}}, "logs": {"type": "array", "items": {"type": "object"}}, "cases": {"type": "array", "items": {"type": "object"}}, "punishments": {"type": "array", "items": obj({"kind": {"type": "string", "enum": ["ban", "mute"]}, "ends_at": {"type": "string"}})}}),
 "Forgotten": obj({"forgotten": obj({k: {"type": "integer"} for k in ["logs", "appeals", "points", "cases", "punishments", "joins", "quota", "sessions", "verifications", "tickets"]})}, ["forgotten"]),
 "CaseOpening": obj({"user_id": S, "action": {"type": "string", "enum": ["warn", "timeout", "mute", "kick", "ban", "unban", "unmute", "note"]}, "reason": {"type": "string", "minLength": 1, "maxLength": 2000}, "duration_seconds": {"type": "integer", "minimum": 1, "maximum": 31536000}, "moderator_id": S}, ["user_id", "action", "reason"]),
 "CaseEdit": obj({"reason": {"type": "string", "minLength": 1, "maxLength": 2000}, "moderator_id": S}, ["reason"]),
 "Case": obj({"number": {"type": "integer"}, "guild_id": S, "user_id": S, "moderator_id": {"type": ["string", "null"]}, "action": {"type": "string"}, "reason": {"type": ["string", "null"]}, "duration_seconds": {"type": ["integer", "null"]}, "points": {"type": ["number", "null"]}, "log_id": {"type": ["integer", "null"]}, "source": {"type": "string", "enum": ["automod", "manual"]}, "created_at": {"type": "string"}, "updated_at": {"type": "string"}}, ["number", "user_id", "action", "source"]),
 "CaseRecorded": obj({"case": {"$ref": "#/components/schemas/Case"}, "actions": {"type": "array", "items": {"$ref": "#/components/schemas/DiscordAction"}}, "event_id": {"type": ["integer", "null"]}}, ["case", "actions"]),
 "CasePage": obj({"cases": {"type": "array", "items": {"$ref": "#/components/schemas/Case"}}}, ["cases"]),
 "TicketOpening": obj({"user_id": S, "username": {"type": "string"}, "description": {"type": "string"}, "channel_id": S}, ["user_id", "description"]),
 "TicketMessage": obj({"author_id": S, "content": {"type": "string"}}, ["author_id", "content"]),
 "TicketTransition": obj({"event": {"type": "string", "enum": ["claim", "wait_for_user", "user_replied", "escalate", "close", "reopen", "archive"]}, "by": S}, ["event"]),
 "Ticket": obj({"id": {"type": "integer"}, "guild_id": S, "user_id": S, "status": {"type": "string"}, "description": {"type": "string"}, "messages": {"type": "array", "items": {"type": "object"}}}),
 "Created": obj({"id": {"type": "integer"}}),
 "Image": {"type": "string", "format": "binary"},
 "Verification": obj({"id": {"type": "integer"}, "guild_id": S, "user_id": S, "status": {"type": "string", "enum": ["pending", "verified", "manual_review", "closed_manual", "error"]}, "ai_reason": {"type": "string"}, "review_reasons": {}, "resolved_by": S, "rejection_reason": {"type": "string"}}),
 "VerificationPage": obj({"verifications": {"type": "array", "items": {"$ref": "#/components/schemas/Verification"}}}),
 "VerificationResolution": obj({"verified": {"type": "boolean"}, "moderator_id": S, "rejection_reason": {"type": "string"}}, ["verified", "moderator_id"]),
 "SuggestionRequest": obj({"limit": {"type": "integer", "minimum": 1, "maximum": 10}}),
 "Suggestion": obj({"entry_id": {"type": "integer"}, "rank": {"type": "integer"}, "score": {"type": "number"}, "title": {"type": "string"}, "summary": {"type": "string"}, "suggested_at": {"type": "string"}, "outcome": {"type": "string", "enum": ["solved", "closed_without_reply"]}, "outcome_at": {"type": "string"}}, ["entry_id", "rank", "score", "suggested_at"]),
 "SuggestionPage": obj({"ticket_id": {"type": "integer"}, "status": {"type": "string"}, "changed": {"type": "boolean"}, "suggestions": {"type": "array", "items": {"$ref": "#/components/schemas/Suggestion"}}}, ["ticket_id", "suggestions"]),
 "SolvedBy": obj({"user_id": S}, ["user_id"]),
 "Transcript": obj({"format": {"type": "string"}, "note": {"type": "string"}, "ticket": {"type": "object"}, "messages": {"type": "array", "items": obj({"id": {"type": "integer"}, "author_id": S, "author_role": {"type": "string", "enum": ["member", "staff"]}, "created_at": {"type": "string"}, "content": {"type": "string"}, "attachments": {"type": "array", "items": {"type": "string"}}})}, "faq_suggestions": {"type": "array", "items": {"type": "object"}}}, ["format", "ticket", "messages"]),
 "Deflection": obj({"guild_id": S, "since": {"type": "string"}, "tickets_opened": {"type": "integer"}, "tickets_suggested": {"type": "integer"}, "suggestion_rate": {"type": "number"}, "deflected": {"type": "integer"}, "solved": {"type": "integer"}, "closed_without_reply": {"type": "integer"}, "deflection_rate": {"type": "number"}, "top_entries": {"type": "array", "items": obj({"entry_id": {"type": "integer"}, "title": {"type": "string"}, "suggested": {"type": "integer"}, "solved": {"type": "integer"}, "closed_without_reply": {"type": "integer"}, "deflected": {"type": "integer"}, "deflection_rate": {"type": "number"}})}}, ["guild_id", "tickets_opened", "tickets_suggested", "deflected", "top_entries"]),
 "Proposal": obj({"id": {"type": "integer"}, "guild_id": S, "status": {"type": "string"}, "title": {"type": "string"}, "answer": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}}, "source_ticket_ids": {"type": "array", "items": {"type": "integer"}}, "sources": {"type": "array", "items": {"type": "object"}}}),
 "ProposalPage": obj({"proposals": {"type": "array", "items": {"$ref": "#/components/schemas/Proposal"}}}),
 "ProposalEdits": obj({"staff_id": S, "title": {"type": "string"}, "answer": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}}}, ["staff_id"]),
 "ProposalRejection": obj({"staff_id": S, "reason": {"type": "string"}}, ["staff_id", "reason"]),
 "FAQEntry": obj({"id": {"type": "integer"}, "guild_id": S, "title": {"type": "string"}, "summary": {"type": "string"}, "keywords": {"type": "array", "items": {"type": "string"}}, "proposal_id": {"type": "integer"}}),
 "SearchResults": obj({"query": {"type": "string"}, "results": {"type": "array", "items": obj({"entry": {"$ref": "#/components/schemas/FAQEntry"}, "rank": {"type": "number"}})}}),
 "Rule": {"type": "object", "description": "One rule as in a pack file (docs/rules.md): name, type, enabled, the type's own fields (patterns, keywords, detector and threshold, categories), action.", "required": ["name", "type"], "properties": {"name": {"type": "string"}, "type": {"type": "string", "enum": KINDS["rule_types"]}, "enabled": {"type": "boolean"}, "detector": {"type": "string", "enum": KINDS["spam_detectors"], "description": "spam rules"}, "action": obj({"type": {"type": "string", "enum": KINDS["action_types"]}, "severity": {"type": "integer", "minimum": 1, "maximum": 5}}, ["type"])}},
 "RulePage": obj({"rules": {"type": "array", "items": obj({"id": {"type": "integer"}, "enabled": {"type": "boolean"}, "definition": {"$ref": "#/components/schemas/Rule"}})}}),
 "RuleState": obj({"name": {"type": "string"}, "enabled": {"type": "boolean"}}),
 "RuleBacktestRequest": strict({"rule": {"$ref": "#/components/schemas/Rule"}, "enable": {"type": "string"}, "disable": {"type": "string"}, "messages": {"type": "array", "items": {"$ref": "#/components/schemas/DiscordMessage"}, "maxItems": 10000}, "max_logs": {"type": "integer", "minimum": 1, "maximum": 100000}}),
 "BacktestShift": obj({"count": INT, "from_logs": INT, "from_messages": INT, "appeals": obj({"approved": INT, "denied": INT, "pending": INT}, ["approved", "denied", "pending"]), "examples": {"type": "array", "maxItems": 20, "items": obj({"source": {"type": "string", "enum": ["log", "messages"]}, "log_id": INT, "line": INT, "message_id": S, "appeal": {"type": "string", "enum": ["none", "pending", "approved", "denied"]}, "excerpt": {"type": "string"}, "before": {"$ref": "#/components/schemas/BacktestJudgement"}, "after": {"$ref": "#/components/schemas/BacktestJudgement"}}, ["source", "message_id", "excerpt", "before", "after"])}}, ["count", "from_logs", "from_messages", "appeals", "examples"]),
 "BacktestJudgement": obj({"verdict": {"type": "string", "enum": ["allow", "flag", "block"]}, "rules": {"type": "array", "items": {"type": "string"}}}, ["verdict", "rules"]),
 "RuleBacktest": obj({"change": {"type": "string"}, "replayed": obj({"logs": INT, "messages": INT}, ["logs", "messages"]), "flagged_before": INT, "flagged_after": INT, "newly_flagged": {"$ref": "#/components/schemas/BacktestShift"}, "no_longer_flagged": {"$ref": "#/components/schemas/BacktestShift"}, "left_out": {"type": "array", "items": {"type": "string"}}, "complete": {"type": "boolean"}, "notes": {"type": "array", "items": {"type": "string"}}, "elapsed_ms": INT}, ["change", "replayed", "flagged_before", "flagged_after", "newly_flagged", "no_longer_flagged", "left_out", "complete", "notes", "elapsed_ms"]),
 "Setting": obj({"scope": {"type": "string"}, "key": {"type": "string"}, "value": {}, "updated_by": S, "updated_at": {"type": "string"}}),
 "SettingPage": obj({"scope": {"type": "string"}, "settings": {"type": "array", "items": {"$ref": "#/components/schemas/Setting"}}}),
 "SettingChange": obj({"value": {}, "by": S}, ["value"]),
 "SettingHistory": obj({"changes": {"type": "array", "items": obj({"id": {"type": "integer"}, "old_value": {}, "new_value": {}, "changed_by": S, "changed_at": {"type": "string"}, "change_type": {"type": "string"}})}}),
 "SettingRollback": obj({"change_id": {"type": "integer"}, "by": S}, ["change_id"]),
 "TokenRequest": obj({"role": {"type": "string", "enum": ["bot", "moderator", "staff", "admin"]}, "guild_id": S, "label": {"type": "string"}, "user_id": S}, ["role"]),
 "Token": obj({"id": {"type": "integer"}, "role": {"type": "string"}, "guild_id": S, "label": {"type": "string"}, "user_id": S, "created_at": {"type": "string"}, "revoked_at": {"type": "string"}}),
 "CreatedToken": obj({"token": {"type": "string"}, "record": {"$ref": "#/components/schemas/Token"}}),
 "TokenPage": obj({"tokens": {"type": "array", "items": {"$ref": "#/components/schemas/Token"}}}),
 "WebhookRegistration": strict({"url": {"type": "string", "maxLength": 2048, "description": "absolute http:// or https:// URL, ASCII, no credentials or fragment"}, "guild_id": S, "events": {"type": "array", "items": {"type": "string", "enum": EVENT_KINDS}}}, ["url"]),
 "Webhook": obj({"id": {"type": "integer"}, "guild_id": S, "url": {"type": "string"}, "events": {"type": "array", "items": {"type": "string"}}, "created_at": {"type": "string"}, "previous_secret_until": {"type": "string"}, "pending": {"type": "integer"}, "dead": {"type": "integer"}}),
 "CreatedWebhook": obj({"webhook": {"$ref": "#/components/schemas/Webhook"}, "secret": {"type": "string"}}, ["webhook", "secret"]),
 "WebhookPage": obj({"webhooks": {"type": "array", "items": {"$ref": "#/components/schemas/Webhook"}}}, ["webhooks"]),
 "SecretRotation": strict({"keep_previous_seconds": {"type": "integer", "minimum": 0, "maximum": 604800}}),
 "WebhookDelivery": obj({"id": {"type": "integer"}, "event_id": {"type": "integer"}, "guild_id": S, "kind": {"type": "string"}, "status": {"type": "string", "enum": ["pending", "delivered", "dead"]}, "attempts": {"type": "integer"}, "event_created_at": {"type": "string"}, "next_attempt_at": {"type": "string"}, "first_failed_at": {"type": "string"}, "last_status": {"type": "integer"}, "last_error": {"type": "string"}, "delivered_at": {"type": "string"}}),
 "DeliveryPage": obj({"deliveries": {"type": "array", "items": {"$ref": "#/components/schemas/WebhookDelivery"}}}, ["deliveries"]),
 "Replay": strict({"guild_id": S}),
 "Replayed": obj({"replayed": {"type": "integer"}}, ["replayed"]),
 "Health": obj({"status": {"type": "string", "enum": ["ok", "degraded", "down"]}, "database": {"type": "string"}, "llm": {"type": "string"}, "uptime_seconds": {"type": "integer"}, "version": {"type": "string"}}),
 "Metrics": {"type": "string"},
 "OpenAPI": {"type": "object"},
}
paths = {}
# Every 503 says when to send again.
retry_after = {"Retry-After": {"description": "seconds to wait before sending the same request again", "schema": {"type": "integer"}}}
errors = {"500": "the server failed (details in its log)", "400": "bad input (the message names the field)", "401": "missing or unknown token", "403": "role or guild not allowed", "404": "not found in this guild", "409": "conflicts with the current state", "413": "body too large", "415": "the body's Content-Type is not one the route reads (application/json; an image type for screenshots; application/yaml also for a rule); the connection is closed", "422": "well-formed but invalid", "503": "the store is unavailable or busy, or the service is shutting down: send the same request again after Retry-After seconds (re-deliveries are idempotent)"}
# Answers of the HTTP layer itself, on every route (scripts/protocol_check.py sends each): another method than
# the path's (405 with Allow), a request head or body that stalls past the server's timeout (408), headers
# past 16 KiB or 100 fields (431). A malformed request (framing, chunk sizes) is a 400 like bad input.
protocol_errors = {"405": "the path exists, not with this method (Allow lists the methods it answers)",
                   "408": "the request head or body stalled past the server's timeout; the connection is closed",
                   "431": "request headers too large (over 16 KiB or 100 fields)"}
errors.update(protocol_errors)
for method, path, roles, summary, desc, params, req, resp in routes:
    op = {"summary": summary, "operationId": (method + path.replace("/", "_").replace("{", "").replace("}", "").replace("-", "_").replace(".", "_")), "parameters": params}
    text = desc
    if roles:
        text = (text + " " if text else "") + "Roles: " + ", ".join(roles) + (" (admin always)." if "admin" not in roles else ".")
        op["security"] = [{"bearer": []}]
    else:
        op["security"] = []
    op["description"] = text
    if req:
        ctype = "image/png" if req == "Image" else "application/json"
        content = {ctype: {"schema": {"$ref": "#/components/schemas/" + req}}}
        if req == "Image":
            content["image/jpeg"] = content[ctype]; content["image/webp"] = content[ctype]
        if method == "put" and path.endswith("/rules/{name}"):
            content["application/yaml"] = {"schema": {"type": "string", "description": "the rule in YAML, as one entry of a pack's rules: list"}}
        # The webhook replay and rotation bodies may be left out (all guilds; a day's overlap).
        # A ticket's suggestions may be asked for with no body (the default limit).
        op["requestBody"] = {"required": not (path.startswith("/v1/webhooks/") and path.endswith(("/replay", "/secret")) or path.endswith("/suggestions")), "content": content}
    ok = "201" if (method == "post" and path in ("/v1/guilds/{guild}/appeals", "/v1/guilds/{guild}/tickets", "/v1/tokens", "/v1/webhooks", "/v1/guilds/{guild}/tickets/{ticket}/messages", "/v1/guilds/{guild}/cases") or path.endswith("/approve") and "faq" in path) else ("202" if path.endswith("/verifications") and method == "post" else ("204" if method == "delete" and not path.endswith("/users/{user}") else "200"))
    responses = {}
    if resp:
        ctype = "text/plain" if resp == "Metrics" else "application/json"
        responses[ok] = {"description": "success", "content": {ctype: {"schema": {"$ref": "#/components/schemas/" + resp}}}}
        if resp == "Transcript":
            responses[ok]["content"]["text/markdown"] = {"schema": {"type": "string"}}
            responses[ok]["content"]["text/html"] = {"schema": {"type": "string"}}
    else:
        responses[ok] = {"description": "success"}
    if roles:
        for code in ["400", "401", "403", "404", "409", "413", "422", "500", "503"]:
            responses[code] = {"$ref": "#/components/responses/E" + code}
    for code in protocol_errors:
        responses[code] = {"$ref": "#/components/responses/E" + code}
    if req:
        responses["415"] = {"$ref": "#/components/responses/E415"}
    if method == "put" and path.endswith("/rules/{name}"):
        responses["201"] = {"description": "created (200 when it replaced a rule)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Rule"}}}}
    if path == "/health":
        responses["503"] = {"description": "the store is down", "headers": retry_after, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
    op["responses"] = responses
    paths.setdefault(path, {})[method] = op
doc = {"openapi": "3.1.0", "info": {"title": "Warden", "version": "0.5.0", "description": "AI-assisted moderation and support for Discord communities. Every /v1 route needs `Authorization: Bearer <token>` (create one with `warden admin token create`); errors are {\"error\": {\"code\", \"message\"}}."},
       "servers": [{"url": "http://127.0.0.1:8080"}], "paths": paths,
       "components": {"schemas": schemas, "responses": {"E" + c: dict({"description": d, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}, **({"headers": retry_after} if c == "503" else {})) for c, d in errors.items()}, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}}
doc["components"]["responses"]["E405"]["headers"] = {"Allow": {"description": "the methods this path answers", "schema": {"type": "string"}}}
doc["components"]["responses"]["E413"]["description"] = "body too large (refused before reading when Content-Length says so; the connection is closed)"
print(json.dumps(doc, indent=1))
