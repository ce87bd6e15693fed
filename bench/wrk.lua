-- Load for `make bench` (wrk, one thread). Arguments after `--`:
--   get PATH [PATH ...]          GET the paths in turn
--   post PATH BODY_PREFIX        POST BODY_PREFIX followed by a number unique in this run
--                                (application/x-www-form-urlencoded)
--   post-file PATH CONTENT_TYPE HEAD_FILE TAIL_FILE
--                                POST the bytes of HEAD_FILE, a number unique in this run and
--                                the bytes of TAIL_FILE, as CONTENT_TYPE (a multipart body with
--                                a file: too large and not text, so it cannot be an argument)
-- At the end one JSON line with the counts and latency percentiles (microseconds).
local mode, paths, prefix, suffix, content_type = nil, {}, nil, "", nil
local counter = 0

local function read_file(name)
  local file = assert(io.open(name, "rb"))
  local data = file:read("*a")
  file:close()
  return data
end

function init(args)
  mode = args[1]
  if mode == "post" then
    paths = { args[2] }
    prefix = args[3]
    content_type = "application/x-www-form-urlencoded"
  elseif mode == "post-file" then
    paths = { args[2] }
    content_type = args[3]
    prefix = read_file(args[4])
    suffix = read_file(args[5])
  else
    for i = 2, #args do paths[#paths + 1] = args[i] end
  end
end

function request()
  counter = counter + 1
  if mode == "post" or mode == "post-file" then
    -- wrk.format uses either its own headers (-H) or the ones given: give both.
    local headers = { ["Content-Type"] = content_type }
    for name, value in pairs(wrk.headers) do headers[name] = value end
    return wrk.format("POST", paths[1], headers, prefix .. counter .. suffix)
  end
  return wrk.format("GET", paths[(counter - 1) % #paths + 1])
end

-- Response counts per status, kept in each thread's state (a global, so that `done`, which
-- runs in the main state, can read it with thread:get).
statuses = {}
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local e = summary.errors
  local parts = {}
  for status, n in pairs(threads[1]:get("statuses")) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
  io.write(string.format(
    '\nBENCH-JSON {"requests": %d, "duration_us": %d, "status_errors": %d, "socket_errors": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "mean_us": %.1f, "statuses": {%s}}\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.mean, table.concat(parts, ", ")))
end
