-- wrk script: the skill routes for learners drawn from a fixed set.
-- Environment: MATCHWORK_KEY (a read key), PEOPLE (learner-1..learner-N; default 4000),
-- ROUTE (analyze, predict or path; default analyze).
local key = os.getenv("MATCHWORK_KEY")
local people = tonumber(os.getenv("PEOPLE") or "4000")
local route = os.getenv("ROUTE") or "analyze"
local paths = {
  analyze = "/api/v1/skill-gaps/analyze",
  predict = "/api/v1/skill-gaps/predict",
  path = "/api/v1/learning-paths/generate",
}

wrk.method = "POST"
wrk.path = paths[route]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = key

local counter = 0
function init(args)
  counter = math.random(0, people - 1)
end

function request()
  counter = counter + 1
  local learner = (counter % people) + 1
  local body
  if route == "predict" then
    body = string.format('{"person_id":"learner-%d","path":true}', learner)
  else
    body = string.format('{"person_id":"learner-%d"}', learner)
  end
  return wrk.format(nil, nil, nil, body)
end

dofile((debug.getinfo(1, "S").source:sub(2):match("(.*/)") or "./") .. "report.lua")
