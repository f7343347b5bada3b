// The counting script of RedisViewStore (Lua, run by EVALSHA): one atomic step per call
// that dedupes a batch of views (count window, request ids), counts them and journals
// their deferred side. Its argument layout is documented in record_script.cc next to the
// text; RedisViewStore::RecordCommand builds it. A constant string, thread-safe.
#pragma once

namespace bulletin::analytics {

// The script's text (EVAL, SCRIPT LOAD; its SHA for EVALSHA).
const char* RecordScriptText();

}  // namespace bulletin::analytics
