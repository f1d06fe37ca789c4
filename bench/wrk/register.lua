-- A registration POST per request, each with its own e-mail address: the run's prefix, the thread's
-- number and a counter. Every request sends one of the CSRF token + session cookie pairs fetched
-- before the run (Flask-WTF ties a token to its session).
-- Arguments: <path> <prefix> <file with one "token<TAB>cookie" line per pair> [<organisation>]: a municipality
-- of the office's register, written as people do ("Alta kommune", the default)

dofile(os.getenv("BENCH_WRK_DIR") .. "/report.lua")

local numbered = 0
local setup_report = setup

setup = function(thread)
  numbered = numbered + 1
  thread:set("thread_number", numbered)
  setup_report(thread)
end

local function urlencode(s)
  return (s:gsub("[^%w%-_%.~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

local init_report = init

init = function(args)
  init_report(args)
  path, prefix = args[1], args[2]
  organisation = urlencode(args[4] or "Alta kommune")
  credentials = {}
  for line in io.lines(args[3]) do
    local token, cookie = line:match("^([^\t]+)\t(.+)$")
    credentials[#credentials + 1] = {token = token, cookie = cookie}
  end
  counter = 0
end

request = function()
  counter = counter + 1
  local pair = credentials[(counter + thread_number) % #credentials + 1]
  local email = string.format("%s-t%d-%d@bench.example.no", prefix, thread_number, counter)
  local body = "csrf_token=" .. urlencode(pair.token) .. "&name=Bench+Deltaker&email=" .. urlencode(email) ..
    "&organisation=" .. organisation .. "&role=Prosjektleder&phone=912+34+567&needs=&consent=y"
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = pair.cookie,
  }, body)
end
