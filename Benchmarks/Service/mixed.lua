-- wrk script: a mixed load of distinct requests, so that the list cache fills and the store's
-- pages are read all over. Each request is drawn at random:
--   55% POST /api/v1/recommendations/generate for a cleaner (cleaner-1..PEOPLE), with a count of
--       1-50, one of six modes and explanations on or off (120,000 distinct lists for 200);
--   20% the same for an open job (JOBS: comma-separated ids);
--   15% GET /api/v1/recommendations?limit=100&cursor=R, R random below SERVED_CURSOR (the
--       served lists, read back in pages from anywhere in the table);
--   10% GET /api/v1/people/cleaner-N/similar?count=10.
-- Environment: MATCHWORK_KEY (a read key), PEOPLE (default 200), JOBS, SERVED_CURSOR (default
-- 1000000).
local key = os.getenv("MATCHWORK_KEY")
local people = tonumber(os.getenv("PEOPLE") or "200")
local served = tonumber(os.getenv("SERVED_CURSOR") or "1000000")
local jobs = {}
for id in string.gmatch(os.getenv("JOBS") or "", "[^,]+") do jobs[#jobs + 1] = id end
local modes = { "ensemble", "rule_based", "similarity", "collaborative", "neural", "popularity" }

function init(args)
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
end

local headers = { ["Content-Type"] = "application/json", ["X-API-Key"] = key }
local getHeaders = { ["X-API-Key"] = key }

function request()
  local r = math.random()
  local explain = math.random() < 0.5 and "true" or "false"
  local count = math.random(1, 50)
  local mode = modes[math.random(1, #modes)]
  if r < 0.55 then
    local body = string.format('{"person_id":"cleaner-%d","count":%d,"mode":"%s","explain":%s}', math.random(1, people), count, mode, explain)
    return wrk.format("POST", "/api/v1/recommendations/generate", headers, body)
  elseif r < 0.75 and #jobs > 0 then
    local body = string.format('{"opportunity_id":"%s","count":%d,"mode":"%s","explain":%s}', jobs[math.random(1, #jobs)], count, mode, explain)
    return wrk.format("POST", "/api/v1/recommendations/generate", headers, body)
  elseif r < 0.9 then
    return wrk.format("GET", string.format("/api/v1/recommendations?limit=100&cursor=%d", math.random(0, served)), getHeaders)
  else
    return wrk.format("GET", string.format("/api/v1/people/cleaner-%d/similar?count=10", math.random(1, people)), getHeaders)
  end
end

-- response() and done(), shared with the other scripts here.
dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "report.lua")
