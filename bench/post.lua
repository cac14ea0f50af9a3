-- wrk script: POST the file named by BODY_FILE as CONTENT_TYPE; print one JSON line of figures at the end.
local f = assert(io.open(os.getenv('BODY_FILE'), 'rb'))
wrk.method = 'POST'
wrk.body = f:read('*a')
f:close()
wrk.headers['Content-Type'] = os.getenv('CONTENT_TYPE') or 'text/csv'
wrk.headers['Accept'] = os.getenv('ACCEPT') or 'text/csv'

function done(summary, latency, requests)
  local s = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    s.status, s.connect, s.read, s.write, s.timeout))
end
