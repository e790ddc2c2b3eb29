-- wrk script: POST /api/v1/recommendations/generate for cleaners drawn from a fixed set.
-- Environment: MATCHWORK_KEY (a read key), PEOPLE (how many cleaners to rotate through,
-- cleaner-1..cleaner-N; default 4000), MODE (ensemble, collaborative, ...; default: the
-- service's), COUNT (list length, default 10).
local key = os.getenv("MATCHWORK_KEY")
local people = tonumber(os.getenv("PEOPLE") or "4000")
local mode = os.getenv("MODE")
local count = tonumber(os.getenv("COUNT") or "10")
local errors = 0

wrk.method = "POST"
wrk.path = "/api/v1/recommendations/generate"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = key

local counter = 0
function init(args)
  -- Each thread walks the cleaners from its own offset so threads do not ask in lockstep.
  counter = math.random(0, people - 1)
end

function request()
  counter = counter + 1
  local body = string.format('{"person_id":"cleaner-%d","count":%d', (counter % people) + 1, count)
  if mode then body = body .. string.format(',"mode":"%s"', mode) end
  return wrk.format(nil, nil, nil, body .. "}")
end

function response(status, headers, body)
  if status ~= 200 then
    errors = errors + 1
    if errors <= 3 then io.stderr:write("status " .. status .. ": " .. body .. "\n") end
  end
end

function done(summary, latency, requests)
  io.write(string.format("requests %d  errors(non-2xx) %d  socket errors %d/%d/%d/%d\n",
    summary.requests, summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
  io.write(string.format("req/s %.0f  p50 %.2f ms  p90 %.2f ms  p99 %.2f ms  max %.2f ms\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
