-- Spec section 16: Recipient Queues (src/lua/ntop/recipients.cc over
-- alerts/recipient_queues). Limits and filters are tested on the service in
-- tests/unit/alerts; here the Lua forms, the spec's and ntopng's.

local t = require("testing")
local eq = t.eq
local json = require("dkjson")

-- The spec's form: string ids, notifications as text.
eq(select("#", ntop.recipient_register("slack")), 0, "register returns nothing")
eq(ntop.recipient_enqueue("slack", json.encode({ msg = "one" })), true, "queued")
eq(ntop.recipient_enqueue("slack", "two"), true, "queued")
eq(ntop.recipient_last_use("slack"), 0, "never used")
local before = os.time()
eq(json.decode(ntop.recipient_dequeue("slack")).msg, "one", "first in, first out")
eq(ntop.recipient_dequeue("slack"), "two", "a string back")
eq(ntop.recipient_dequeue("slack"), nil, "empty")
eq(ntop.recipient_last_use("slack") >= before, true, "last use is the last dequeue")

-- Stats: all recipients (the spec) or one (ntopng).
ntop.recipient_inc_stats("slack", "delivered")
ntop.recipient_inc_stats("slack", "failures")
local all = ntop.recipient_stats()
eq(all.slack.num_uses, 2, "two queued")
eq(all.slack.num_delivered, 1, "one delivered")
eq(all.slack.num_failures, 1, "one failure")
eq(all.slack.queued, 0, "nothing left")
eq(ntop.recipient_stats("slack").num_uses, 2, "one recipient's stats")
eq(ntop.recipient_stats("nobody"), nil, "unknown")
t.expect_error_ignoring_position("ntop.recipient_inc_stats: argument #2 (stat) must be delivered, filtered_out or failures",
                                 ntop.recipient_inc_stats, "slack", "bogus")

-- ntopng's form: integer ids, filters, scored notifications answered as tables.
ntop.recipient_register(3, 4, "1", "", "4")  -- warning and up, security, flows
eq(ntop.recipient_enqueue(3, '{"x":1}', 250, 39, 4, 1), true, "passes the filter")
eq(ntop.recipient_enqueue(3, '{"x":2}', 10, 43, 4, 1), true, "filtered out: still taken")
local n = ntop.recipient_dequeue("3")  -- the same recipient as 3
eq(n.alert, '{"x":1}', "ntopng's table")
eq(n.score, 250, "score")
eq(n.alert_severity, 8, "severity of the score")
eq(ntop.recipient_dequeue(3), nil, "the low one was filtered out")
eq(ntop.recipient_stats(3).num_filtered_out, 1, "counted")
ntop.recipient_inc_stats(3, 5, 0, 2)
eq(ntop.recipient_stats(3).num_delivered, 5, "ntopng's counts")

-- Unknown recipients and deletion.
eq(ntop.recipient_enqueue("nobody", "x"), false, "unknown recipient")
ntop.recipient_delete("slack")
eq(ntop.recipient_enqueue("slack", "x"), false, "deleted")
eq(ntop.recipient_stats().slack, nil, "gone from the stats")

-- A full queue refuses the new notification and counts a dropped alert.
ntop.recipient_register("full")
local dropped = ntop.systemHostStat().dropped_alerts
for i = 1, 8192 do ntop.recipient_enqueue("full", "n" .. i) end
eq(ntop.recipient_enqueue("full", "late"), false, "full")
eq(ntop.recipient_stats("full").num_drops, 1, "drop counted")
eq(ntop.systemHostStat().dropped_alerts, dropped + 1, "dropped alert counted")
eq(ntop.recipient_dequeue("full"), "n1", "the oldest stayed")
