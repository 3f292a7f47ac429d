-- Spec section 12: Logging. The log goes to the runner's stderr, so what is checked here is
-- the trace level constants, what each call returns, the level switch, and argument errors.

local t = require("testing")
local expect_error = t.expect_error

-- The trace level globals of ntop_defines.h.
assert(TRACE_ERROR == 0 and TRACE_WARNING == 1 and TRACE_NORMAL == 2 and TRACE_INFO == 3 and
       TRACE_DEBUG == 4, "TRACE_* constants")

-- traceEvent: every level 0..4 is accepted and nothing is returned.
for level = TRACE_ERROR, TRACE_DEBUG do
   assert(select("#", ntop.traceEvent(level, "logging_test: level " .. level)) == 0,
          "traceEvent returns nothing")
end
ntop.traceEvent(TRACE_NORMAL, "")  -- an empty message is fine
ntop.traceEvent(TRACE_NORMAL, 42)  -- a number is converted, as Lua does for strings

-- verboseTrace: returns whether debug tracing is on. The runner logs at "info".
assert(ntop.verboseTrace() == false, "no debug tracing at level info")
assert(ntop.verboseTrace("not shown") == false, "verboseTrace(msg) returns the same")
ntop.setLoggingLevel("debug")
assert(ntop.verboseTrace() == true, "debug tracing after setLoggingLevel('debug')")
assert(ntop.verboseTrace("logging_test: shown at debug") == true, "verboseTrace(msg) at debug")
ntop.setLoggingLevel("trace")  -- an alias of debug
assert(ntop.verboseTrace() == true, "'trace' is debug")
for _, name in ipairs({ "error", "warning", "warn", "normal", "info" }) do
   assert(select("#", ntop.setLoggingLevel(name)) == 0, "setLoggingLevel returns nothing")
   assert(ntop.verboseTrace() == false, "no debug tracing at level " .. name)
end
expect_error("ntop.setLoggingLevel: unknown level 'loud' (error, warning, normal, info, debug)",
             ntop.setLoggingLevel, "loud")
assert(ntop.verboseTrace() == false, "a refused level leaves the level alone")

-- syslog: same levels.
for level = TRACE_ERROR, TRACE_DEBUG do
   assert(select("#", ntop.syslog(level, "flowlens logging_test: syslog " .. level)) == 0,
          "syslog returns nothing")
end

-- Argument errors.
expect_error("ntop.traceEvent: argument #1 (level) expected integer, got string",
             ntop.traceEvent, "warning", "msg")
expect_error("ntop.traceEvent: argument #1 (level) expected integer (got a fraction), got number",
             ntop.traceEvent, 1.5, "msg")
expect_error("ntop.traceEvent: argument #2 (msg) expected string, got nil",
             ntop.traceEvent, TRACE_NORMAL, nil)
expect_error("ntop.traceEvent: level must be 0 (error) .. 4 (debug)", ntop.traceEvent, 5, "msg")
expect_error("ntop.traceEvent: level must be 0 (error) .. 4 (debug)", ntop.traceEvent, -1, "msg")
expect_error("ntop.verboseTrace: argument #1 (msg) expected string, got table",
             ntop.verboseTrace, {})
expect_error("ntop.setLoggingLevel: argument #1 (level) expected string, got nil",
             ntop.setLoggingLevel, nil)
expect_error("ntop.syslog: argument #1 (level) expected integer, got nil", ntop.syslog, nil, "x")
expect_error("ntop.syslog: argument #2 (msg) expected string, got boolean",
             ntop.syslog, TRACE_ERROR, false)
expect_error("ntop.syslog: level must be 0 (error) .. 4 (debug)", ntop.syslog, 9, "x")
