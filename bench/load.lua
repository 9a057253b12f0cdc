-- wrk script for the benchmark (bench/run.py). Counts answers by HTTP status and prints them, with latency
-- percentiles, as one JSON line in done().
--   wrk ... -s bench/load.lua URL -- click <path> <offer ids,comma-separated> <affiliate ids,comma-separated> [browsers]
-- With "browsers" (run.py --quality) clicks come from public US addresses (8.0.0.0/15) with the user agents of real
-- browsers, desktop and mobile, so they pass an offer's targeting (README, Traffic quality).
--   wrk ... -s bench/load.lua URL -- postback <path> <file of transaction IDs, one a line> <threads> <token>
-- Clicks cycle through every (offer, affiliate) pair, each with its own sub ID and a client address sent as
-- X-Forwarded-For (the server trusts one proxy), so the unique-click check sees many visitors.
-- Postbacks: each wrk thread takes every Nth transaction ID of the file, so no two requests share one until
-- the file runs out (then they wrap around and come back as duplicates, counted as 409s).

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("slot", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local function split(text)
  local items = {}
  for item in string.gmatch(text, "[^,]+") do table.insert(items, item) end
  return items
end

local mode, path, offers, affiliates, tids, token, browsers
local AGENTS = {
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1",
  "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
}
local counter = 0
status_counts = {}

function init(args)
  mode, path = args[1], args[2]
  if mode == "click" then
    offers, affiliates = split(args[3]), split(args[4])
    browsers = args[5] == "browsers"
  else
    tids, token = {}, args[5] or ""
    local line_number = 0
    for line in io.lines(args[3]) do
      if line_number % tonumber(args[4]) == slot then table.insert(tids, line) end
      line_number = line_number + 1
    end
  end
end

function request()
  counter = counter + 1
  if mode == "click" then
    local offer = offers[(counter % #offers) + 1]
    local affiliate = affiliates[(math.floor(counter / #offers) % #affiliates) + 1]
    local ip = "10." .. slot .. "." .. (math.floor(counter / 250) % 250) .. "." .. (counter % 250 + 1)
    local agent = "bench/1.0"
    if browsers then
      ip = "8." .. slot .. "." .. (math.floor(counter / 250) % 250) .. "." .. (counter % 250 + 1)
      agent = AGENTS[(counter % #AGENTS) + 1]
    end
    return wrk.format("GET", path .. "?offer_id=" .. offer .. "&aff_id=" .. affiliate .. "&aff_sub=t" .. slot
      .. "n" .. counter .. "&source=bench", {["X-Forwarded-For"] = ip, ["User-Agent"] = agent})
  end
  local tid = tids[((counter - 1) % #tids) + 1]
  return wrk.format("GET", path .. "?transaction_id=" .. tid .. "&amount=49.90&adv_sub=ORD-" .. slot .. "-" .. counter
    .. "&security_token=" .. token)
end

function response(status, headers, body)
  status_counts[status] = (status_counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, thread in ipairs(threads) do
    local counts = thread:get("status_counts")
    for status, count in pairs(counts) do totals[status] = (totals[status] or 0) + count end
  end
  local parts = {}
  for status, count in pairs(totals) do table.insert(parts, string.format('"%d": %d', status, count)) end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, '
    .. '"socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max, errors.connect + errors.read + errors.write + errors.timeout, table.concat(parts, ", ")))
end
