-- wrk script for multi-model endpoints: POST BODY_FILE to /models/m000/invoke ... /models/m<MODELS-1>/invoke in
-- turn; the summary line is post.lua's.
dofile(string.gsub(debug.getinfo(1, 'S').source:sub(2), 'post%-models%.lua$', 'post.lua'))
local models = tonumber(os.getenv('MODELS'))
local turn = 0

function request()
  turn = turn % models
  local path = string.format('/models/m%03d/invoke', turn)
  turn = turn + 1
  return wrk.format('POST', path, nil, wrk.body)
end
