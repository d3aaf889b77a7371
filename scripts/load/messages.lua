-- wrk script for `POST /v1/messages` (scripts/http-load.sh): every request is a message with its own
-- snowflake id, and every answer is checked to be the decision for a message this thread sent and had no
-- answer for yet (answers of a thread's connections come back in any order, so not by position).
--
-- Environment: WARDEN_TOKEN (a bot token), WARDEN_LOAD_PREFIX (8 digits, unique to the run: ids are the
-- prefix, a 2-digit thread number and a 9-digit counter).

local threads = {}

function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end

local contents = {
  "morning everyone, anyone up for a match later?",
  "the new update broke my keybinds again lol",
  "has anyone tried the beta build on mac yet",
  "FREE NITRO for everyone!! claim here https://discord-nitro.gift/claim",
  "gg that was close, rematch tomorrow?",
  "can a mod check the pinned message in #help, the link is dead",
  "i think the server crashed during the raid, lost all my loot",
  "check out my stream https://twitch.tv/example tonight at 8",
  "what is the best build for a support main right now",
  "@everyone free steam gift cards at steamcommunity-gift.ru/claim",
}

function init(args)
  token = os.getenv("WARDEN_TOKEN") or error("WARDEN_TOKEN is not set")
  prefix = os.getenv("WARDEN_LOAD_PREFIX") or error("WARDEN_LOAD_PREFIX is not set")
  counter, ok, failed, mismatched = 0, 0, 0, 0
  unanswered = {}
  headers = { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }
  start = 1796378400   -- message time: 2026-12-04T10:00:00Z, 20 ms more for each of a thread's messages
end

function request()
  counter = counter + 1
  local id = string.format("%s%02d%09d", prefix, tid, counter)
  unanswered[id] = true
  local ms = counter * 20
  local stamp = os.date("!%Y-%m-%dT%H:%M:%S", start + math.floor(ms / 1000)) .. string.format(".%03d000+00:00", ms % 1000)
  -- Snowflakes are built as text: they do not fit a Lua number exactly.
  local member = (counter * 7919 + tid * 104729) % 5000
  local body = string.format(
    '{"id":"%s","guild_id":"1100000000000000001","channel_id":"11033666629140480%02d",' ..
    '"author":{"id":"3000000000000%05d","username":"member%d"},"content":"%s","timestamp":"%s"}',
    id, counter % 5, member, member, contents[counter % #contents + 1], stamp)
  return wrk.format("POST", "/v1/messages", headers, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failed = failed + 1
    return
  end
  local id = body:match('"message_id":"(%d+)"')
  if id and unanswered[id] then
    unanswered[id] = nil
    ok = ok + 1
  else
    mismatched = mismatched + 1   -- no id, an id never sent, or a second answer for one message
  end
end

function done(summary, latency, requests)
  local total_ok, total_failed, total_mismatched = 0, 0, 0
  -- Ids sent but not answered when wrk stopped (at most one a connection): the store may hold them, so the
  -- script leaves them out when it counts decisions (WARDEN_LOAD_UNANSWERED names the file).
  local out = assert(io.open(os.getenv("WARDEN_LOAD_UNANSWERED") or "/dev/null", "w"))
  for _, thread in ipairs(threads) do
    total_ok = total_ok + thread:get("ok")
    total_failed = total_failed + thread:get("failed")
    total_mismatched = total_mismatched + thread:get("mismatched")
    for id, _ in pairs(thread:get("unanswered")) do out:write(id, "\n") end
  end
  out:close()
  local errors = summary.errors
  -- rps counts decisions answered (200), not every response.
  io.write(string.format(
    "RESULT answered=%d failed=%d mismatched=%d socket_errors=%d requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.1f\n",
    total_ok, total_failed, total_mismatched, errors.connect + errors.read + errors.write + errors.timeout,
    summary.requests, total_ok / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000))
end
