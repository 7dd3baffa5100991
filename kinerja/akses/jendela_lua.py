"""The API rate window's steps in Lua, one text for the two scripts that take a window: the
throttle's own (kinerja.akses.throttle) and the personal token's round trip, which decides the
window in the same trip (kinerja.akses.salinan).

`jendela(key, now, durasi, jumlah)`: the window as a Redis list, newest first (DRF's history
order); arguments as the strings ARGV carries (now is pushed as given, not as a Lua number).
Answers {1} allowed (now added), or {0, count, oldest} refused (nothing written): what DRF's
wait() reads of its history."""

FUNGSI = """
local function jendela(key, now_s, durasi_s, jumlah_s)
  local batas = tonumber(now_s) - tonumber(durasi_s)
  while true do
    local tertua = redis.call('LINDEX', key, -1)
    if not tertua or tonumber(tertua) > batas then break end
    redis.call('RPOP', key)
  end
  local jumlah = redis.call('LLEN', key)
  if jumlah >= tonumber(jumlah_s) then
    return {0, jumlah, redis.call('LINDEX', key, -1)}
  end
  redis.call('LPUSH', key, now_s)
  redis.call('EXPIRE', key, durasi_s)
  return {1}
end
"""
