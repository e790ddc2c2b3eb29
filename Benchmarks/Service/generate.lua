-- wrk script: POST /api/v1/recommendations/generate for cleaners drawn from a fixed set.
-- Environment: MATCHWORK_KEY (a read key), PEOPLE (how many cleaners to rotate through,
-- cleaner-1..cleaner-N; default 4000), MODE (ensemble, collaborative, ...; default: the
-- service's), COUNT (list length, default 10).
local key = os.getenv("MATCHWORK_KEY")
local people = tonumber(os.getenv("PEOPLE") or "4000")
local mode = os.getenv("MODE")
local count = tonumber(os.getenv("COUNT") or "10")

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

-- response() and done(), shared with the other scripts here.
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "report.lua")
